"""Static files with content-hashed URLs, immutable caching and gzip.

Village assistants open the task list on mobile data: the 1 MB bundle should cross the wire once,
compressed, and then come from the browser cache until it changes. Templates link assets through
``static_url("dist/tasklist.js")`` → ``/static/dist/tasklist.<hash>.js``; a request whose hash is the
file's current one is cached for a year as immutable. Any other name (unhashed, or an old hash from a
page rendered before an upgrade) gets the current file with ``no-cache``, so nothing stale sticks.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

HASH_LENGTH = 12
HASHED_NAME = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[A-Za-z0-9]+)$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".html", ".txt", ".map"}
MIN_COMPRESS_BYTES = 1024


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    digest: str
    media_type: str
    stamp: tuple[int, int]  # (mtime_ns, size): a rebuilt bundle is picked up without a restart


class StaticAssets:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._lock = threading.Lock()
        self._cache: dict[str, Asset] = {}

    def _file(self, relative: str) -> Path | None:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def asset(self, relative: str) -> Asset | None:
        path = self._file(relative)
        if path is None:
            return None
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(relative)
            if cached is not None and cached.stamp == stamp:
                return cached
            body = path.read_bytes()
            compress = path.suffix in COMPRESSIBLE and len(body) >= MIN_COMPRESS_BYTES
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/") or media_type in {"application/javascript", "text/javascript"}:
                media_type += "; charset=utf-8"
            asset = Asset(
                body=body,
                gzipped=gzip.compress(body, compresslevel=9, mtime=0) if compress else None,
                digest=hashlib.sha256(body).hexdigest()[:HASH_LENGTH],
                media_type=media_type,
                stamp=stamp,
            )
            self._cache[relative] = asset
            return asset

    def digest(self, relative: str) -> str:
        asset = self.asset(relative)
        if asset is None:
            raise FileNotFoundError(f"static file {relative} not found in {self.root}")
        return asset.digest

    def url(self, relative: str) -> str:
        """The content-hashed URL of ``relative`` (a path under the static directory)."""
        digest = self.digest(relative)
        stem, dot, suffix = relative.rpartition(".")
        if not dot or "/" in suffix:
            return f"/static/{relative}?v={digest}"
        return f"/static/{stem}.{digest}.{suffix}"

    def response(self, requested: str, request: Request) -> Response:
        relative, cache_control = requested, REVALIDATE
        match = HASHED_NAME.match(requested)
        if match and self._file(requested) is None:
            relative = match["stem"] + match["suffix"]
        asset = self.asset(relative)
        if asset is None:
            raise HTTPException(status_code=404, detail="文件不存在")
        if (match and relative != requested and match["hash"] == asset.digest) or request.query_params.get(
            "v"
        ) == asset.digest:
            cache_control = IMMUTABLE
        etag = f'"{asset.digest}"'
        headers = {"Cache-Control": cache_control, "ETag": etag, "Vary": "Accept-Encoding"}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body = asset.body
        if asset.gzipped is not None and _accepts_gzip(request.headers.get("accept-encoding", "")):
            body = asset.gzipped
            headers["Content-Encoding"] = "gzip"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=headers, media_type=asset.media_type)
        return Response(content=body, headers=headers, media_type=asset.media_type)


def _accepts_gzip(accept_encoding: str) -> bool:
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in {"gzip", "*"}:
            return params.replace(" ", "") not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False


def static_router(assets: StaticAssets) -> APIRouter:
    router = APIRouter()

    @router.api_route("/static/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def static_file(path: str, request: Request) -> Response:
        return assets.response(path, request)

    return router
