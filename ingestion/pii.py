"""Pseudonymisation of personal data: a keyed hash replaces the value at reading time."""
from __future__ import annotations

import hashlib
import hmac


def pseudonymise(key: bytes, value: str) -> str:
    # HMAC rather than a plain hash: ID numbers and phone numbers are few enough to brute-force.
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
