"""Camunda Forms for user tasks, found by form id in a directory (``workflows/forms/<formId>.form``).

The embedded engine does not deploy forms (yet), so the v2 ``/form`` endpoint resolves a task's
``camunda-forms:bpmn:<formId>`` key here. A form gets a stable numeric key derived from its id, so
``formKey`` looks like a deployed form's key to clients. A missing directory is not an error: the
task simply has no form.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from jiuzhu.resources import forms_dir

LINKED_PREFIX = "camunda-forms:bpmn:"


def form_id_of(form_key: str | None) -> str | None:
    """``camunda-forms:bpmn:approve`` → ``approve``; anything else (custom references) → None."""
    if form_key and form_key.startswith(LINKED_PREFIX):
        return form_key[len(LINKED_PREFIX) :] or None
    return None


def form_key_number(form_id: str) -> int:
    """A stable 64-bit key for a form id (high bits set like Zeebe keys of partition 2)."""
    digest = hashlib.sha256(form_id.encode()).digest()
    return (2 << 51) + int.from_bytes(digest[:6], "big")


@dataclass(frozen=True)
class FormDocument:
    form_id: str
    key: int
    schema: str  # the form JSON as text, as Camunda returns it
    version: int = 1


class FormRepository:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory else forms_dir()
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[float, str, str | None]] = {}  # path → (mtime, text, id inside)

    def _read(self, path: Path) -> tuple[str, str | None] | None:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        with self._lock:
            cached = self._cache.get(path)
            if cached and cached[0] == mtime:
                return cached[1], cached[2]
        try:
            text = path.read_text(encoding="utf-8")
            inner = json.loads(text).get("id")
        except (OSError, ValueError, AttributeError):
            return None  # unreadable or not a form: treated as absent
        with self._lock:
            self._cache[path] = (mtime, text, inner if isinstance(inner, str) else None)
        return text, inner if isinstance(inner, str) else None

    def find(self, form_id: str) -> FormDocument | None:
        if not form_id or "/" in form_id or "\\" in form_id or form_id.startswith("."):
            return None
        direct = self._read(self.directory / f"{form_id}.form")
        if direct is not None:
            return FormDocument(form_id, form_key_number(form_id), direct[0])
        if not self.directory.is_dir():
            return None
        for path in sorted(self.directory.glob("*.form")):
            found = self._read(path)
            if found is not None and found[1] == form_id:
                return FormDocument(form_id, form_key_number(form_id), found[0])
        return None
