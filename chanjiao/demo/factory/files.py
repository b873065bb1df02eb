"""Writing submissions: the template as the project ships it, or a grid of cells in .xlsx, .xls or .csv
with the mess of real submissions (templates.md, "What real submissions look like").

- `write(kind, path, data)` — the filled template (ingestion.templates.write_workbook) when no mess is
  asked and the file is .xlsx; otherwise the rows become a grid (`grid`), messed as `Mess` says, and the
  grid is written in the format of the path's suffix.
- `Sheet`, `write_xlsx`, `write_xls`, `write_csv` — cells exactly as given (a test's crafted layout).
- `write_xlsx_fast` — the same grid, written straight as SpreadsheetML (inline strings, no per-cell
  objects): ~10x xlsxwriter's speed, for the province month.
Every writer is deterministic: the same cells give the same bytes.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import random
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape

from ingestion.registry import Kind, kinds
from ingestion.registry import Sheet as SheetDef
from ingestion.templates import FIXED_CREATED, write_workbook

MONEY_FACTORS = {"元": 10000, "千元": 10, "万元": 1}  # a 万元 value in the header's unit
FULL_WIDTH = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
FLAG_STYLES = {"是否": ("是", "否"), "YN": ("Y", "N"), "check": ("√", "×"), "10": ("1", "0")}
EMPTY_MARKERS = ["—", "/", "无", "N/A"]
CSV_ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030"]
DATE_STYLES = ["date", "serial", "iso", "dotted", "slash", "chinese"]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def kind_of(name: str | Kind) -> Kind:
    return name if isinstance(name, Kind) else kinds()[name]


# --- the grid: cells as given -----------------------------------------------------------------------

@dataclass
class Sheet:
    """A sheet to write: rows of cells (None: nothing written), hidden or not, merged ranges (r0, c0, r1, c1)."""
    name: str
    rows: list[list]
    hidden: bool = False
    merges: tuple = ()


def write_xlsx(path: Path, *sheets: Sheet) -> Path:
    """The grid through xlsxwriter (booleans as boolean cells, dates as dates, the first visible sheet active)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"created": FIXED_CREATED})  # the same grid gives the same bytes, whatever second it is written in
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    active = False
    for s in sheets:
        ws = wb.add_worksheet(s.name)
        for r, row in enumerate(s.rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, value)
        for r0, c0, r1, c1 in s.merges:
            ws.merge_range(r0, c0, r1, c1, s.rows[r0][c0])
        if s.hidden:
            ws.hide()
        elif not active:
            ws.activate()  # a hidden sheet cannot be the active one
            active = True
    wb.close()
    return path


def write_xls(path: Path, *sheets: Sheet) -> Path:
    """The grid as legacy .xls (BIFF8) through xlwt — a development dependency, imported only here."""
    try:
        import xlwt
    except ImportError as e:  # pragma: no cover - the runtime image has no xlwt
        raise RuntimeError("writing .xls needs xlwt (the project's dev dependency group)") from e
    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for s in sheets:
        ws = book.add_sheet(s.name)
        for r, row in enumerate(s.rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value, date_style) if isinstance(value, dt.date) else ws.write(r, c, value)
        for r0, c0, r1, c1 in s.merges:
            ws.merge(r0, r1, c0, c1)
        if s.hidden:
            ws.visibility = 1
    book.save(str(path))
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", bom: bool = False) -> Path:
    """Rows as CSV (CRLF) in `encoding`, with a UTF-8 BOM when asked (or encoding utf-8-sig)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in rows])
    data = buf.getvalue().encode(encoding)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


# --- the fast .xlsx writer ----------------------------------------------------------------------------

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (_HEAD + f'<styleSheet {_NS}><fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_HIDDEN = ' state="hidden"'


def _column(c: int) -> str:
    name = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        name = chr(65 + rem) + name
    return name


_COLUMNS = [_column(c) for c in range(256)]
_CONTROL = {c: None for c in range(32) if c not in (9, 10, 13)}


def _sheet_xml(s: Sheet) -> bytes:
    cols = _COLUMNS
    out = [_HEAD, f"<worksheet {_NS}><sheetData>"]
    append = out.append
    for r, row in enumerate(s.rows, 1):
        cells = []
        add = cells.append
        for c, v in enumerate(row):
            if v is None:
                continue
            if v.__class__ is str:
                if "&" in v or "<" in v or ">" in v:
                    v = escape(v)
                if not v.isprintable():
                    v = v.translate(_CONTROL)
                add(f'<c r="{cols[c]}{r}" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>')
            elif v.__class__ is bool:
                add(f'<c r="{cols[c]}{r}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)):
                add(f'<c r="{cols[c]}{r}"><v>{v!r}</v></c>')
            elif isinstance(v, dt.date):
                add(f'<c r="{cols[c]}{r}" s="1"><v>{(v if v.__class__ is dt.date else v.date()).toordinal() - 693594}</v></c>')
            else:
                add(f'<c r="{cols[c]}{r}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
        append(f'<row r="{r}">{"".join(cells)}</row>')
    append("</sheetData>")
    if s.merges:
        append(f'<mergeCells count="{len(s.merges)}">')
        append("".join(f'<mergeCell ref="{cols[c0]}{r0 + 1}:{cols[c1]}{r1 + 1}"/>' for r0, c0, r1, c1 in s.merges))
        append("</mergeCells>")
    append("</worksheet>")
    return "".join(out).encode("utf-8")


def write_xlsx_fast(path: Path, *sheets: Sheet, compresslevel: int = 1) -> Path:
    """The grid as a minimal .xlsx: inline strings, dates as serials with a date format, no shared strings."""
    n = len(sheets)
    types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(1, n + 1))
    parts = {
        "[Content_Types].xml": _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{types}</Types>",
        "_rels/.rels": _HEAD + f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": _HEAD + f"<workbook {_NS} {_RNS}><sheets>"
        + "".join(f'<sheet name="{escape(s.name)}" sheetId="{i}"{_HIDDEN if s.hidden else ""} r:id="rId{i}"/>'
                  for i, s in enumerate(sheets, 1)) + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": _HEAD + f'<Relationships xmlns="{_PKG}">'
        + "".join(f'<Relationship Id="rId{i}" Type="{_DOC}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
        + f'<Relationship Id="rId{n + 1}" Type="{_DOC}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": _STYLES,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
        for name, text in parts.items():
            zf.writestr(_entry(name, compresslevel), text.encode("utf-8"))
        for i, s in enumerate(sheets, 1):
            zf.writestr(_entry(f"xl/worksheets/sheet{i}.xml", compresslevel), _sheet_xml(s))
    return path


def _entry(name: str, level: int) -> zipfile.ZipInfo:
    """A zip entry with a fixed time (the same cells give the same bytes) and the given deflate level."""
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = level  # ZipInfo has no public setter before 3.13 (compress_level)
    if hasattr(zipfile.ZipInfo, "compress_level"):
        info.compress_level = level
    return info


# --- typed rows → grid, with the mess of real submissions ---------------------------------------------

@dataclass(frozen=True)
class Mess:
    """How a submitter departed from the template. Every option is one the reader copes with
    (templates.md); `Mess()` is the template's own layout as a plain grid."""
    title_rows: int = 0             # 0–2 title rows above the header ("鹤壁职业技术学院2026年10月教师名册")
    merged_title: bool = False      # the title merged across the table's width
    headers: str = "template"       # template / synonym / english: which of the registry's headers
    spaced_headers: bool = False    # spaces, full-width brackets and line breaks inside header cells
    money_unit: str = "万元"         # 元 / 千元 / 万元: money columns in this unit, written in the header
    blank_row: bool = False         # a blank row between the header and the data
    blank_column: bool = False      # an empty first column
    totals: bool = False            # a 合计 row under the data
    footnote: bool = False          # "填表人：… 审核人：…" under the table
    flags: str = "是否"              # 是否 / YN / check / 10
    dates: str = "date"             # date cells / serial (numbers) / iso / dotted / slash / chinese text
    numbers_as_text: bool = False   # numbers stored as text
    full_width: bool = False        # numbers as full-width digits (text)
    thousands: bool = False         # 1,234.5 (text)
    empty: str | None = None        # —, /, 无, N/A where a value is empty
    short_codes: bool = False       # region and school codes typed as numbers (leading zeros lost)
    hidden_sheet: bool = False      # an extra hidden sheet in front
    reorder: bool = False           # sheets in reverse order
    encoding: str = "utf-8"         # .csv: utf-8, utf-8-sig, gbk, gb18030

    @classmethod
    def random(cls, rng: random.Random) -> Mess:
        """A plausible mix of habits: each one present with some chance."""
        return cls(title_rows=rng.choice([0, 0, 1, 2]), merged_title=rng.random() < 0.5,
                   headers=rng.choice(["template", "template", "synonym", "english"]), spaced_headers=rng.random() < 0.3,
                   money_unit=rng.choice(["万元", "万元", "元"]), blank_row=rng.random() < 0.2, blank_column=rng.random() < 0.2,
                   totals=rng.random() < 0.3, footnote=rng.random() < 0.3, flags=rng.choice(list(FLAG_STYLES)),
                   dates=rng.choice(DATE_STYLES), numbers_as_text=rng.random() < 0.2, full_width=rng.random() < 0.1,
                   thousands=rng.random() < 0.1, empty=rng.choice([None, None, *EMPTY_MARKERS]), short_codes=rng.random() < 0.2,
                   hidden_sheet=rng.random() < 0.2, reorder=rng.random() < 0.3, encoding=rng.choice(CSV_ENCODINGS))


PLAIN = Mess()


def _header(f, mess: Mess) -> str:
    names = list(f.headers)
    if mess.headers == "english":
        text = next((h for h in names if h.isascii()), names[0])
    elif mess.headers == "synonym":
        text = next((h for h in names[1:] if not h.isascii()), names[0])
    else:
        text = names[0]
    if f.unit in MONEY_FACTORS:  # a money column always says its unit (an unwritten unit is never guessed)
        base = text.split("(")[0].split("（")[0]
        text = f"{base}({mess.money_unit if f.unit == '万元' else f.unit})"
    if mess.spaced_headers:
        text = text.replace("(", "（").replace(")", "）")
        text = f" {text[:2]}\n{text[2:]} " if len(text) > 4 else f" {text} "
    return text


def _number(v, mess: Mess):
    if mess.full_width:
        return (f"{v:,}" if mess.thousands else str(v)).translate(FULL_WIDTH)
    if mess.thousands and abs(v) >= 1000:
        return f"{v:,}"
    if mess.numbers_as_text:
        return str(v)
    return v


def _date(v: dt.date, mess: Mess):
    style = mess.dates
    if style == "serial":
        return v.toordinal() - EXCEL_EPOCH.toordinal()
    if style == "iso":
        return v.isoformat()
    if style == "dotted":
        return f"{v.year}.{v.month}.{v.day}"
    if style == "slash":
        return f"{v.year}/{v.month}/{v.day}"
    if style == "chinese":
        return f"{v.year}年{v.month}月{v.day}日"
    return v


def cell(f, v, mess: Mess = PLAIN, csv_out: bool = False):
    """One typed value as the submitter writes it under `mess`."""
    if v is None:
        return mess.empty if (mess.empty and not f.required) else None
    if isinstance(v, bool):
        return FLAG_STYLES[mess.flags][0 if v else 1]
    if isinstance(v, dt.date):
        out = _date(v, mess)
        return out.isoformat() if csv_out and isinstance(out, dt.date) else out
    if f.type in ("int", "number") and isinstance(v, (int, float)):
        if f.unit == "万元":
            v = round(v * MONEY_FACTORS[mess.money_unit], 2)
            v = int(v) if float(v).is_integer() else v
        return _number(v, mess)
    if isinstance(v, (int, float)):
        return str(v) if mess.numbers_as_text else v
    if mess.short_codes and f.type in ("code", "region") and v.isdigit():
        return int(v)
    return v


def grid(sheet: SheetDef, rows: list[dict], mess: Mess = PLAIN, title: str | None = None, csv_out: bool = False) -> list[list]:
    """A sheet's typed rows as the cells a submitter sends under `mess` (header row included)."""
    fields = sheet.fields
    pad = [None] if mess.blank_column else []
    out: list[list] = []
    for i in range(mess.title_rows):
        out.append(pad + [title or sheet.sheet if i == 0 else "单位：" + mess.money_unit])
    out.append(pad + [_header(f, mess) for f in fields])
    if mess.blank_row:
        out.append([])
    for row in rows:
        out.append(pad + [cell(f, row.get(f.name), mess, csv_out) for f in fields])
    if mess.totals and rows:
        out.append(pad + ["合计"])
    if mess.footnote:
        out.append(pad + ["填表人：张三    审核人：李四"])
    return out


def sheets(kind: Kind, data: dict[str, list[dict]], mess: Mess = PLAIN, title: str | None = None) -> list[Sheet]:
    """The kind's sheets (those in `data`, or every sheet of the kind) as grids under `mess`."""
    width = lambda s: len(s.fields) + (1 if mess.blank_column else 0)  # noqa: E731
    out = []
    for s in kind.sheets:
        if s.key in data and data[s.key] is None:
            continue  # a sheet left out (broken.missing_sheet)
        cells = grid(s, data.get(s.key) or [], mess, title)
        merges = ((0, 1 if mess.blank_column else 0, 0, width(s) - 1),) if mess.merged_title and mess.title_rows else ()
        out.append(Sheet(s.sheet, cells, merges=merges))
    if mess.reorder:
        out.reverse()
    if mess.hidden_sheet:
        out.insert(0, Sheet("旧表", [["作废"], ["请勿使用"]], hidden=True))
    return out


def write(kind: str | Kind, path: Path, data: dict[str, list[dict]] | None = None, *, title: str | None = None,
          mess: Mess | None = None, fast: bool = False, received: float | None = None) -> Path:
    """Write a submission of `kind` to `path` (.xlsx, .xls or .csv by its suffix).

    No `mess` and .xlsx: the filled template, exactly as ingestion.templates writes it (validations,
    comments, 说明 sheet). Otherwise the grid: .csv holds the kind's single sheet; `fast` writes .xlsx
    with the fast writer. `received` (POSIX time) becomes the file's modification time, which landing
    reads as the receipt time."""
    kind = kind_of(kind)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    data = data or {}
    if mess is None and suffix == ".xlsx" and not fast and None not in data.values():
        write_workbook(kind, path, data, title=title)
    elif suffix == ".csv":
        if len(kind.sheets) != 1:
            raise ValueError(f"{kind.name} has {len(kind.sheets)} sheets: a .csv holds one")
        m = replace(mess or PLAIN, merged_title=False, hidden_sheet=False)
        s = kind.sheets[0]
        write_csv(path, grid(s, data.get(s.key, []), m, title, csv_out=True), encoding=m.encoding)
    else:
        grids = sheets(kind, data, mess or PLAIN, title)
        if suffix == ".xls":
            write_xls(path, *grids)
        elif fast:
            write_xlsx_fast(path, *grids)
        else:
            write_xlsx(path, *grids)
    if received is not None:
        os.utime(path, (received, received))
    return path


@dataclass
class Written:
    """A file the factory wrote: its kind, the submitter it names, its period, rows per sheet."""
    path: Path
    kind: str
    submitter: str
    period: str
    rows: dict[str, int] = field(default_factory=dict)
    broken: str | None = None
