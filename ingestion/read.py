"""Read one submitted file into typed rows with provenance, or say why it cannot be read.

Pure parsing: file in, rows and problems out. Personal data is hashed here, so nothing downstream
(the gate, the warehouse, the logs) ever holds a raw name, ID number, phone or staff/student number.

The steps, each in its own module: the file becomes grids (`ingestion.grid`); each grid's headers are
found (`ingestion.headers`); the kind and which grid is which sheet are decided (`ingestion.detect`);
each sheet's data rows become typed values (`ingestion.rows`, cell by cell `ingestion.convert`); the
file's submitter, period and region are identified (`ingestion.identify`). The result is a
`ingestion.parsed.ParsedFile`.
"""
from __future__ import annotations

import logging
from pathlib import Path

from ingestion import codes
from ingestion.detect import detect_kind
from ingestion.grid import LOADERS, UnreadableFile
from ingestion.headers import header_index
from ingestion.identify import identify
from ingestion.parsed import ParsedFile, Problem, sha256_of
from ingestion.registry import kinds
from ingestion.rows import markers, read_sheet

log = logging.getLogger(__name__)


def read_file(path: Path, pii_key: bytes, collection_period: str | None = None) -> ParsedFile:
    parsed = ParsedFile(path=path, sha256=sha256_of(path))
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in LOADERS:
        parsed.problems.append(Problem(None, None, None, "format", f"不支持“{path.suffix or '无扩展名'}”文件：请以.xlsx、.xls或.csv格式报送"))
        return parsed
    try:
        grids = LOADERS[suffix](path, parsed)
    except UnreadableFile as err:
        parsed.problems.append(Problem(None, None, None, "unreadable", str(err)))
        return parsed

    detected = detect_kind(grids)
    if detected is None:
        first = next((g.name for g in grids if g.visible), None)
        titles = "、".join(k.title for k in kinds().values())
        parsed.problems.append(Problem(first, None, None, "kind",
                                       f"无法识别报表类型：没有找到任何填报模板的表头。请使用chanjiao提供的模板（{titles}），保留表头行后重新报送"))
        return parsed
    kind, found = detected
    parsed.kind = kind.name
    if suffix not in kind.formats:
        allowed = "或".join(f".{f}" for f in kind.formats)
        parsed.problems.append(Problem(None, None, None, "format", f"“{kind.title}”含{len(kind.sheets)}个工作表，只能以{allowed}格式报送，"
                                                                   f"不接受.{suffix}：请在Excel中填好全部工作表后另存为.xlsx重新报送"))
        return parsed
    for definition in kind.sheets:
        if definition.key not in found:
            parsed.problems.append(Problem(definition.sheet, None, None, "sheet_missing",
                                           f"缺少工作表“{definition.sheet}”：请按模板补全该工作表（没有数据也要保留表头）"))
            continue
        grid, header = found[definition.key]
        parsed.sheets[definition.key] = read_sheet(definition, grid, header, pii_key, parsed.problems)
    identify(parsed, kind, collection_period)
    return parsed


def warm_up() -> None:
    """Load now what reading the first file would load: the registry, its header index and the region
    table. `ingestion.isolation` calls this when the fork server imports it, so every reader worker
    starts with them (~100 ms per worker otherwise, before its first file). A failure here is left to
    surface where it always did, on the first file."""
    try:
        header_index()
        markers()
        codes.region_is_valid("110101", 2000)
    except Exception:
        log.debug("warm-up failed; the first file read will report it", exc_info=True)
