"""Keep text cells inert in whatever spreadsheet program opens a release file."""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Text a spreadsheet program would run as a formula if it were typed or imported as is."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers.

    For text files (CSV). The workbook marks such cells as text instead (xlsx.py), so their value is unchanged.
    """
    if looks_like_formula(value):
        return "'" + value
    return value
