"""RS256 signature check (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 8.2.2), for OIDC access tokens.

Verification re-encodes the expected message and compares it whole (no parsing of the decrypted
block), which is the form RFC 8017 recommends against forgery by lenient parsers.
"""

from __future__ import annotations

import hashlib
import hmac

# DER of DigestInfo{sha256, NULL} before the 32-byte hash (RFC 8017 9.2, note 1).
_SHA256_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
MIN_BITS = 2048


def verify_rs256(n: int, e: int, message: bytes, signature: bytes) -> bool:
    k = (n.bit_length() + 7) // 8
    if n.bit_length() < MIN_BITS or len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    t = _SHA256_PREFIX + hashlib.sha256(message).digest()
    if k < len(t) + 11:
        return False
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(em, expected)
