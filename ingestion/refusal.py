"""How a precheck refuses a file: `Refuse`, raised inside the checks, carries the Problem that
`ingestion.precheck.precheck` returns; the messages share their advice and their way of writing sizes."""
from __future__ import annotations

from ingestion.limits import KB, MB
from ingestion.parsed import Problem

# The advice every "this file looks crafted or broken" reason ends with.
RESAVE = "请用Excel打开后另存为新文件再报送"


class Refuse(Exception):
    """Raised inside the checks; carries the Problem precheck returns."""

    def __init__(self, rule: str, message: str, sheet: str | None = None):
        super().__init__(message)
        self.problem = Problem(sheet, None, None, rule, message)


def size_text(n: float) -> str:
    if n >= MB:
        return f"{n / MB:.0f}MB"
    return f"{n / KB:.0f}KB" if n >= KB else f"{n:.0f}字节"


def wrong_format(message: str) -> Refuse:
    return Refuse("wrong_format", message)
