"""Pseudonymisation of personal data: a keyed hash replaces the value at reading time."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

try:  # OpenSSL's HMAC object: copying it is about half the cost of hmac.new() per value
    from _hashlib import hmac_new as _openssl_hmac
except ImportError:  # pragma: no cover - a Python built without OpenSSL
    _openssl_hmac = None


def pseudonymise(key: bytes, value: str) -> str:
    # HMAC rather than a plain hash: ID numbers and phone numbers are few enough to brute-force.
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonymiser(key: bytes) -> Callable[[str], str]:
    """`pseudonymise` with the key bound: the same digests, for a whole column of values.

    The keyed state (the key padded and hashed into the inner and outer SHA-256 states) is computed
    once and copied per value, instead of being recomputed for every value."""
    try:
        keyed = _openssl_hmac(key, b"", "sha256") if _openssl_hmac is not None else hmac.new(key, digestmod=hashlib.sha256)
    except ValueError:  # e.g. an OpenSSL without SHA-256 in its default provider
        keyed = hmac.new(key, digestmod=hashlib.sha256)
    copy = keyed.copy

    def hash_one(value: str) -> str:
        h = copy()
        h.update(value.encode("utf-8"))
        return h.hexdigest()

    return hash_one
