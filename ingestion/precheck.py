"""Refuse hostile or mislabelled files before any parser sees them (files are untrusted).

`precheck(path, limits)` reads the file's bytes with bounded memory and says why the file must not be
parsed, or returns None. It never hands the file to a spreadsheet library: it checks the size, that
the bytes are what the extension says (`ingestion.sniff`), and then, by extension, the structure:
`ingestion.xlsx_check` (the zip and its XML parts), `ingestion.xls_check` (the OLE2 compound file),
`ingestion.csv_check`. The limits are `ingestion.limits.Limits`.

These checks are the first line. The second is `ingestion.isolation`: parsing runs in worker processes
with a memory cap and a timeout, so a file that gets past these checks and still crashes the parser
costs only its own rejection.
"""
from __future__ import annotations

from pathlib import Path

from ingestion.csv_check import check_csv
from ingestion.limits import Limits
from ingestion.parsed import Problem
from ingestion.refusal import Refuse, size_text
from ingestion.xls_check import check_xls
from ingestion.xlsx_check import check_xlsx


def precheck(path: Path, limits: Limits | None = None) -> Problem | None:
    """Why `path` must not be parsed, or None. Reads at most the file itself, in bounded chunks."""
    limits = limits or Limits()
    path = Path(path)
    try:
        size = path.stat().st_size
        if size == 0:
            raise Refuse("empty", "文件是空的（0字节）：请重新导出或另存后再报送")
        if size > limits.max_file_bytes:
            raise Refuse("too_large", f"文件大小{size_text(size)}，超过上限{size_text(limits.max_file_bytes)}："
                                      "请删除无关的工作表、图片和多余的空行空列后再报送")
        suffix = path.suffix.lower()
        with path.open("rb") as fh:
            head = fh.read(4096)
            if suffix == ".xlsx":
                check_xlsx(fh, head, size, limits)
            elif suffix == ".xls":
                check_xls(fh, head, size, limits)
            elif suffix == ".csv":
                check_csv(fh, head)
            # other extensions: the reader says which formats it takes
    except Refuse as refusal:
        return refusal.problem
    except OSError as exc:
        return Problem(None, None, None, "unreadable", f"文件无法读取（{exc.strerror or exc}）：请重新报送")
    return None
