"""What the reader must make of a typed value: the warehouse columns of a field (personal data as keyed
hashes, verdicts True). The submissions themselves come from the factory (chanjiao.demo.factory.specimens:
a filled submission of every kind that uses every field at least once).
"""
from __future__ import annotations

from ingestion.pii import pseudonymise
from ingestion.registry import Field
from tests.conftest import PII_KEY

KEY = PII_KEY.encode()


def expected(f: Field, value: object) -> dict:
    """The warehouse columns a field's typed value becomes (personal data as keyed hashes, verdicts True)."""
    if value is None:
        return {c: (f.default if c == f.name else None) for c in f.columns}
    if f.type == "pii":
        return {f"{f.name}_hash": pseudonymise(KEY, str(value))}
    if f.type == "id_number":
        return {f"{f.name}_hash": pseudonymise(KEY, value), f"{f.name}_valid": True}
    if f.type in ("uscc", "region"):
        return {f.name: value, f"{f.name}_valid": True}
    return {f.name: value}
