"""Who is on the other end: the peer address, or what a configured reverse proxy says it forwarded.

``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed only when the peer is one of the trusted
proxies (``JIUZHU_TASKLIST_TRUSTED_PROXIES``, addresses or networks, comma-separated); from anyone
else they are ignored, so a client cannot pick its own address to dodge the sign-in throttle.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from starlette.requests import HTTPConnection

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> TrustedProxies:
        items = [item.strip() for item in (text or "").split(",") if item.strip()]
        try:
            return cls(tuple(ipaddress.ip_network(item, strict=False) for item in items))
        except ValueError as err:
            raise ValueError(f"JIUZHU_TASKLIST_TRUSTED_PROXIES: {err}") from err

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client_address(self, request: HTTPConnection) -> str:
        """The first address, from the right, that is not one of our proxies."""
        peer = request.client.host if request.client else "unknown"
        if not self.trusts(peer):
            return peer
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                return hop
        return hops[0] if hops else peer

    def is_https(self, request: HTTPConnection) -> bool:
        if request.url.scheme == "https":
            return True
        peer = request.client.host if request.client else ""
        return self.trusts(peer) and request.headers.get("x-forwarded-proto", "") == "https"
