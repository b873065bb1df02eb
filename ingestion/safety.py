"""Refuse hostile or mislabelled files before any parser sees them (files are untrusted).

`precheck(path, limits)` reads the file's bytes with bounded memory and says why the file must not be
parsed, or returns None. It never hands the file to a spreadsheet library: it checks the size, that
the bytes are what the extension says, and for .xlsx it inflates every zip entry itself (declared
sizes can lie), counting real bytes against the limits, rejecting DOCTYPE/ENTITY declarations while
streaming, and comparing what a part declares (shared-string counts, the cells a sheet spans) with
what its size could hold. For .xls it walks the OLE2 (compound file) header and directory.

These checks are the first line. The second is `ingestion.isolation`: parsing runs in worker processes
with a memory cap and a timeout, so a file that gets past these checks and still crashes the parser
costs only its own rejection.

Every limit is configuration: `Limits.from_env()` reads CHANJIAO_LIMIT_<FIELD> (e.g.
CHANJIAO_LIMIT_MAX_FILE_BYTES=104857600).
"""
from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, fields
from pathlib import Path

from chanjiao.settings import ConfigError
from ingestion.read import Problem

KB = 1 << 10
MB = 1 << 20
GiB = 1 << 30

CHUNK = 1 << 20  # read and inflate in 1 MB steps: memory stays bounded whatever the file claims

# The advice every "this file looks crafted or broken" reason ends with.
RESAVE = "请用Excel打开后另存为新文件再报送"


@dataclass(frozen=True)
class Limits:
    """What a submitted file may cost. Defaults follow the spec ("Limits (files are untrusted)")."""

    max_file_bytes: int = 50 * MB
    max_inflated_bytes: int = 300 * MB  # all zip entries together, counted as really inflated
    max_entry_ratio: float = 100.0  # per zip entry, inflated : compressed ...
    ratio_min_bytes: int = 512 * KB  # ... applied only once an entry inflates past this (tiny parts compress absurdly well)
    max_zip_entries: int = 2000  # Excel writes a few dozen; thousands of images would still fit
    max_cells: int = 20_000_000  # cells the sheets span in total (the reader densifies rows x columns; ~0.9 GB at 20M)
    timeout_seconds: float = 120.0  # per file, precheck + parsing, in a worker process
    worker_memory_bytes: int = 2 * GiB  # RLIMIT_AS of each worker process

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults, overridden by CHANJIAO_LIMIT_<FIELD> (plain numbers; '_' allowed as a separator)."""
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name = f"CHANJIAO_LIMIT_{f.name.upper()}"
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                continue
            convert = float if f.type in (float, "float") else int
            try:
                value = convert(raw.strip().replace("_", ""))
            except ValueError:
                raise ConfigError(f"{name}={raw!r} is not a number: give a plain {convert.__name__} (e.g. {f.default})") from None
            if value <= 0:
                raise ConfigError(f"{name}={raw!r} must be greater than 0")
            values[f.name] = value
        return cls(**values)


class _Refuse(Exception):
    """Raised inside the checks; carries the Problem precheck returns."""

    def __init__(self, rule: str, message: str, sheet: str | None = None):
        super().__init__(message)
        self.problem = Problem(sheet, None, None, rule, message)


def _mb(n: float) -> str:
    if n >= MB:
        return f"{n / MB:.0f}MB"
    return f"{n / KB:.0f}KB" if n >= KB else f"{n:.0f}字节"


def precheck(path: Path, limits: Limits | None = None) -> Problem | None:
    """Why `path` must not be parsed, or None. Reads at most the file itself, in bounded chunks."""
    limits = limits or Limits()
    path = Path(path)
    try:
        size = path.stat().st_size
        if size == 0:
            raise _Refuse("empty", "文件是空的（0字节）：请重新导出或另存后再报送")
        if size > limits.max_file_bytes:
            raise _Refuse("too_large", f"文件大小{_mb(size)}，超过上限{_mb(limits.max_file_bytes)}：请删除无关的工作表、图片和多余的空行空列后再报送")
        suffix = path.suffix.lower()
        with path.open("rb") as fh:
            head = fh.read(4096)
            if suffix == ".xlsx":
                _check_xlsx(fh, head, size, limits)
            elif suffix == ".xls":
                _check_xls(fh, head, size, limits)
            elif suffix == ".csv":
                _check_csv(fh, head)
            # other extensions: the reader says which formats it takes
    except _Refuse as refusal:
        return refusal.problem
    except OSError as exc:
        return Problem(None, None, None, "unreadable", f"文件无法读取（{exc.strerror or exc}）：请重新报送")
    return None


# --- what the bytes are --------------------------------------------------------------------------

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "PNG图片"), (b"\xff\xd8\xff", "JPEG图片"), (b"GIF8", "GIF图片"), (b"BM", "BMP图片"),
    (b"%PDF", "PDF文档"), (b"Rar!", "RAR压缩包"), (b"7z\xbc\xaf\x27\x1c", "7z压缩包"), (b"\x1f\x8b", "gzip压缩包"),
    (b"{\\rtf", "RTF文档"), (b"\xff\xfe", "UTF-16文本"), (b"\xfe\xff", "UTF-16文本"),
]


def _sniff(head: bytes) -> str:
    """What the first bytes look like: 'zip', 'ole2', 'html', 'xml2003', 'xml', 'text' or a description."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta", b"<style")) or b"<html" in text[:1024]:
        return "html"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "xml2003" if (b"urn:schemas-microsoft-com:office:spreadsheet" in head or b"mso-application" in head) else "xml"
    if b"\x00" in head:
        return "二进制文件"
    return "text"


_DESCRIBE = {"html": "网页（HTML）", "xml2003": "XML表格（Excel 2003 XML）", "xml": "XML文本", "text": "纯文本",
             "zip": "普通压缩包", "ole2": "Office文档"}


def _wrong_format(message: str) -> _Refuse:
    return _Refuse("wrong_format", message)


# --- .xlsx ---------------------------------------------------------------------------------------

def _check_xlsx(fh, head: bytes, size: int, limits: Limits) -> None:
    kind = _sniff(head)
    if kind == "ole2":
        names = _check_ole2(fh, size, limits)  # raises `encrypted` for a password-protected workbook
        if "Workbook" in names or "Book" in names:
            raise _wrong_format("文件实际是旧版Excel（.xls）格式，扩展名却是.xlsx：请用Excel打开后另存为“Excel工作簿(*.xlsx)”再报送")
        raise _wrong_format("文件不是Excel工作簿（是其他Office文档）：请报送Excel文件")
    if kind != "zip":
        raise _wrong_format(f"文件内容不是Excel（.xlsx）格式，实际是{_DESCRIBE.get(kind, kind)}：请用Excel打开原表格后另存为“Excel工作簿(*.xlsx)”再报送")
    _ZipCheck(fh, size, limits).run()


_EOCD = struct.Struct("<4s4H2LH")  # signature, disk, cd disk, entries on disk, entries, cd size, cd offset, comment len
_LOCAL = struct.Struct("<4s5H3L2H")
_BINARY_PARTS = (".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".wdp", ".jfif", ".ico", ".svgz",
                 ".xlsx", ".xlsm", ".xlsb", ".xls", ".docx", ".docm", ".doc", ".pptx", ".pptm", ".ppt", ".odt", ".ods", ".pdf")
_ROOT_WINDOW = 256 * KB  # an XML part's root element must start within this many bytes
# Cell positions: r="B12" on a <c>, r="12" on a <row> (the only worksheet elements with an attribute r).
# Deliberately not tied to the element: one pass of a simple pattern keeps a 50 KB sheet under a
# millisecond. Text that happens to read ` r="XFD1048576"` can only make the span look larger.
# The pattern is whitespace, r, = and a quoted position; written to begin with the literal r (the
# whitespace before it checked by a look-behind) so the regex engine can skip ahead to each r: the
# same matches as rb"\sr\s*=..." (an r after whitespace cannot lie inside another match), 2x faster.
_REF = re.compile(rb"r(?<=\sr)\s*=\s*[\"']\$?([A-Za-z]*)\$?([0-9]{1,12})")
_DECLARATION = re.compile(rb"<!(?i:DOCTYPE|ENTITY)")  # ASCII letters in any case, as a parser compares them
_COUNT_ATTR = re.compile(rb"\s(count|uniqueCount)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_TAG = re.compile(rb"<([A-Za-z_][\w.\-]{0,100}:)?([A-Za-z_][\w.\-]{0,100})")
_CHAR_REF = re.compile(rb"&#(x[0-9A-Fa-f]{1,6}|[0-9]{1,7});")
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL_ENTRY = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
MAX_COLUMN, MAX_ROW = 16384, 1048576  # XFD1048576, the last cell Excel can address


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _ref_text(col: int, row: int) -> str:
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters or 'A'}{row}"


class _ZipCheck:
    """One pass over a zip: the central directory, then every entry inflated by us, with a cap."""

    def __init__(self, fh, size: int, limits: Limits):
        self.fh, self.size, self.limits = fh, size, limits
        self.inflated = 0  # real bytes, all entries
        self.kept: dict[str, bytes] = {}  # small parts needed to name sheets
        self.sheet_spans: dict[str, tuple[int, int]] = {}  # part name -> (max column, max row)
        self.sst_claims: list[tuple[str, str, int]] = []  # (part, attribute, value)
        self.part_sizes: dict[str, int] = {}

    def run(self) -> None:
        self._check_directory_size()
        try:
            zf = zipfile.ZipFile(self.fh)
        except zipfile.BadZipFile as exc:
            raise _Refuse("truncated", "文件不完整或已损坏（压缩包目录缺失，可能在下载、拷贝或上传时中断）：请重新导出完整的文件后报送") from exc
        except (ValueError, struct.error, OSError, EOFError) as exc:
            raise _Refuse("truncated", f"文件不完整或已损坏（{exc}）：请重新导出完整的文件后报送") from exc
        infos = zf.infolist()
        limits = self.limits
        if len(infos) > limits.max_zip_entries:
            raise self._too_many(len(infos))
        names = {i.filename for i in infos}
        if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
            raise _wrong_format("文件实际是Excel二进制工作簿（.xlsb）格式：请用Excel另存为“Excel工作簿(*.xlsx)”再报送")
        if "xl/workbook.xml" not in names:
            what = "Word文档" if "word/document.xml" in names else "PowerPoint演示文稿" if "ppt/presentation.xml" in names else "普通压缩包"
            raise _wrong_format(f"文件内容不是Excel工作簿，实际是{what}：请报送Excel文件（.xlsx）")
        declared = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise _Refuse("encrypted", "文件设置了密码（压缩包加密），无法读取：请取消密码后重新报送")
            declared += info.file_size
            if declared > limits.max_inflated_bytes:
                raise self._too_big()
            self._check_ratio(info.filename, info.file_size, info.compress_size)
        for info in infos:
            self._inflate(info)
        self._judge_claims()

    # limits ------------------------------------------------------------------------------------
    def _too_big(self) -> _Refuse:
        return _Refuse("zip_bomb", f"文件解压后超过{_mb(self.limits.max_inflated_bytes)}，疑似异常文件：请另存为普通Excel文件后重新报送")

    def _too_many(self, n: int) -> _Refuse:
        return _Refuse("zip_bomb", f"文件内部包含{n}个部件，超过上限{self.limits.max_zip_entries}个，疑似异常文件：{RESAVE}")

    def _check_ratio(self, name: str, inflated: int, compressed: int) -> None:
        limits = self.limits
        if inflated > limits.ratio_min_bytes and inflated > limits.max_entry_ratio * max(compressed, 1):
            raise _Refuse("zip_bomb", f"文件中的部件“{name}”压缩比超过{limits.max_entry_ratio:g}:1（解压后{_mb(inflated)}），疑似压缩炸弹：{RESAVE}")

    def _check_directory_size(self) -> None:
        """Before zipfile builds one object per entry: the entry count and directory size the end record
        claims (a 50 MB file could otherwise hold a million entries, i.e. ~0.5 GB of Python objects)."""
        fh, size = self.fh, self.size
        tail_len = min(size, 65536 + _EOCD.size)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + _EOCD.size > len(tail):
            return  # zipfile reports the missing end record as truncation
        _, _, _, _, entries, cd_size, _, _ = _EOCD.unpack_from(tail, at)
        if entries != 0xFFFF and entries > self.limits.max_zip_entries:
            raise self._too_many(entries)
        if cd_size != 0xFFFFFFFF and cd_size > self.limits.max_zip_entries * KB:
            raise self._too_many(cd_size // 46)  # 46 bytes: the smallest directory record

    # inflating -----------------------------------------------------------------------------------
    def _inflate(self, info: zipfile.ZipInfo) -> None:
        fh, name = self.fh, info.filename
        fh.seek(info.header_offset)
        local = fh.read(_LOCAL.size)
        if len(local) < _LOCAL.size or local[:4] != b"PK\x03\x04":
            raise _Truncated(name)
        name_len, extra_len = struct.unpack_from("<2H", local, 26)
        start = info.header_offset + _LOCAL.size + name_len + extra_len
        if start + info.compress_size > self.size:
            raise _Truncated(name)
        method = info.compress_type
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _wrong_format(f"文件中的部件“{name}”使用了Excel不会使用的压缩方式：{RESAVE}")
        scan = _PartScan(name, self) if not name.lower().endswith(_BINARY_PARTS) else None
        inflater = zlib.decompressobj(-15) if method == zipfile.ZIP_DEFLATED else None
        fh.seek(start)
        remaining, produced, crc = info.compress_size, 0, 0
        while remaining > 0:
            raw = fh.read(min(CHUNK, remaining))
            if not raw:
                raise _Truncated(name)
            remaining -= len(raw)
            pending = raw
            while True:
                if inflater is None:
                    out, pending = pending, b""
                else:
                    try:
                        out = inflater.decompress(pending, CHUNK)
                    except zlib.error as exc:
                        raise _Refuse("damaged", f"文件已损坏（部件“{name}”无法解压）：{RESAVE}") from exc
                    tail = inflater.unconsumed_tail
                    if not out and tail and len(tail) == len(pending) and not inflater.eof:
                        raise _Refuse("damaged", f"文件已损坏（部件“{name}”无法解压）：{RESAVE}")  # no progress
                    pending = tail
                produced += len(out)
                self.inflated += len(out)
                if self.inflated > self.limits.max_inflated_bytes:
                    raise self._too_big()
                self._check_ratio(name, produced, info.compress_size)
                crc = zlib.crc32(out, crc)
                if scan is not None and out:
                    scan.feed(out)
                if inflater is None or inflater.eof or (not pending and len(out) < CHUNK):
                    break
        if inflater is not None and not inflater.eof:
            raise _Truncated(name)
        if produced != info.file_size or crc != info.CRC:
            raise _Refuse("damaged", f"文件已损坏（部件“{name}”校验失败）：{RESAVE}")
        self.part_sizes[name] = produced
        if scan is not None:
            scan.close()

    # declared counts against real sizes ----------------------------------------------------------
    def _judge_claims(self) -> None:
        for part, attribute, value in sorted(self.sst_claims, key=lambda c: c[1] != "uniqueCount"):
            size = self.part_sizes.get(part, 0)
            # A shared string is at least <si/> (5 bytes); a reference to one at least <c t="s"><v>0</v></c>
            # in some sheet. Claims beyond what the bytes could hold are what make the reader reserve
            # memory for billions of strings (calamine#684): refuse them, with a wide margin.
            bound = size // 4 + 4096 if attribute == "uniqueCount" else self.inflated // 4 + 4096
            if value > bound:
                raise _Refuse("implausible_counts", f"文件中的共享字符串表声明有{value}个字符串（{attribute}），但其大小只有{_mb(size)}，声明与内容不符，疑似经过特殊构造：{RESAVE}")
        total, largest = 0, None
        for part, (col, row) in self.sheet_spans.items():
            cells = col * row
            total += cells
            if largest is None or cells > largest[1]:
                largest = (part, cells, col, row)
            if col > MAX_COLUMN or row > MAX_ROW:
                raise _Refuse("implausible_counts", f"工作表中有单元格位置超出Excel的表格范围（{_ref_text(col, row)}），疑似经过特殊构造：{RESAVE}", self._sheet_name(part))
        if largest and total > self.limits.max_cells:
            part, _, col, row = largest
            raise _Refuse("implausible_counts", f"工作表的数据区域异常大（A1:{_ref_text(col, row)}，约{col * row:,}个单元格，超过上限{self.limits.max_cells:,}）：请删除表格下方和右侧多余的行、列（包括只有格式或空格的单元格）后另存再报送", self._sheet_name(part))

    def _sheet_name(self, part: str) -> str | None:
        """The sheet name a person sees for a worksheet part, from workbook.xml and its relationships."""
        try:
            targets = {}
            for m in _REL_ENTRY.finditer(self.kept.get("xl/_rels/workbook.xml.rels", b"")):
                attrs = _attrs(m.group(0))
                target = attrs.get("Target", "")
                targets[attrs.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
            for m in _SHEET_ENTRY.finditer(self.kept.get("xl/workbook.xml", b"")):
                attrs = _attrs(m.group(0))
                rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
                if targets.get(rid) == part:
                    return attrs.get("name")
        except Exception:  # naming is a courtesy; never let it hide the refusal
            return None
        return None


class _Truncated(_Refuse):
    """A part whose data is missing. Its own class so that the message is only built when raised."""

    def __init__(self, name: str):
        super().__init__("truncated", f"文件不完整（部件“{name}”的数据缺失，可能在下载、拷贝或上传时中断）：请重新导出完整的文件后报送")


def _attrs(tag: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(tag):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        out[m.group(1).decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return out


def _count_value(raw: bytes) -> int | None:
    """An attribute value as a reader parsing it as an unsigned integer would: character references
    resolved, blanks and a leading '+' allowed. None when it is no number at all (the reader refuses it)."""
    try:
        text = _CHAR_REF.sub(lambda m: chr(int(m[1][1:], 16) if m[1][:1] in b"xX" else int(m[1])).encode("utf-8"), raw)
        text = text.strip().lstrip(b"+")
        return int(text) if text.isdigit() else None
    except (ValueError, OverflowError):
        return None


class _PartScan:
    """Streaming checks on one (non-binary) part: DTD/entity declarations, its root element, and for
    shared strings and worksheets the counts and cell positions they claim."""

    OVERLAP = 256

    def __init__(self, name: str, owner: _ZipCheck):
        self.name, self.owner = name, owner
        self.is_xml = name.lower().endswith((".xml", ".rels", ".vml")) or name == "[Content_Types].xml"
        self.tail = b""
        self.head = bytearray()
        self.root: str | None = None
        self.keep = name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        self.kept = bytearray()
        self.max_col = self.max_row = 0

    def feed(self, chunk: bytes) -> None:
        data = self.tail + chunk
        self._declarations(data)
        if self.keep and len(self.kept) < 4 * MB:
            self.kept += chunk
        if self.root is None and self.is_xml:
            self.head += chunk
            self._find_root(final=False)  # scans the head for cell positions once it knows a worksheet
        elif self.root == "worksheet":
            self._refs(data)
        self.tail = data[-self.OVERLAP:]

    def close(self) -> None:
        if self.is_xml and self.root is None:
            self._find_root(final=True)
        if self.keep:
            self.owner.kept[self.name] = bytes(self.kept)
        if self.root == "worksheet":
            self.owner.sheet_spans[self.name] = (self.max_col, self.max_row)

    def _declarations(self, data: bytes) -> None:
        first = not self.tail
        if first and self.is_xml and (data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"<\x00?\x00", b"\x00<\x00?")):
            raise _wrong_format(f"文件中的部件“{self.name}”使用了UTF-16编码，Excel不会这样保存，疑似经过特殊构造：{RESAVE}")
        # Anywhere in the part, not only before the root element: a declaration there is not well-formed
        # XML, but a lenient parser may still act on it. "!" is rare in spreadsheet XML, so most parts
        # are passed by one fast byte search; the rest by one regex search, in C whatever their size.
        if b"!" in data and _DECLARATION.search(data):
            raise _Refuse("xml_entities", f"文件中的部件“{self.name}”含有DOCTYPE/实体声明（Excel不会写入，可被用来让读取程序耗尽内存），疑似经过特殊构造：{RESAVE}")

    def _find_root(self, final: bool) -> None:
        head = bytes(self.head)
        at = 0
        while True:
            at = head.find(b"<", at)
            if at < 0 or at + 1 >= len(head):
                break
            nxt = head[at + 1:at + 2]
            if nxt in (b"?", b"!"):
                end = head.find(b"-->", at) + 3 if head.startswith(b"<!--", at) else head.find(b">", at) + 1
                if end <= 0:
                    break  # the declaration/comment continues past what we have
                at = end
                continue
            m = _TAG.match(head, at)
            if m is None:
                break
            self.root = m.group(2).decode("ascii")
            if self.root == "sst":
                end = head.find(b">", at)
                if end < 0 and not final and len(head) < _ROOT_WINDOW:
                    self.root = None  # the start tag is not complete yet
                    return
                for attr in _COUNT_ATTR.finditer(head[at:end if end > 0 else at + 65536]):
                    value = _count_value(attr.group(2) if attr.group(2) is not None else attr.group(3))
                    if value is not None:
                        self.owner.sst_claims.append((self.name, attr.group(1).decode(), value))
            elif self.root == "worksheet":
                self._refs(head)
            self.head = bytearray()
            return
        if final or len(head) >= _ROOT_WINDOW:
            if not head.strip():
                return  # an empty part: the reader will say what is missing
            raise _wrong_format(f"文件中的部件“{self.name}”开头没有XML内容，结构异常：{RESAVE}")

    def _refs(self, data: bytes) -> None:
        refs = _REF.findall(data)
        if not refs:
            return
        letters = {c for c, _ in refs}  # a handful of distinct columns
        letters.discard(b"")
        if letters:
            self.max_col = max(self.max_col, max(MAX_COLUMN + 1 if len(c) > 3 else _col_number(c) for c in letters))
        self.max_col = max(self.max_col, 1)  # cells without a position start in column A
        self.max_row = max(self.max_row, max(map(int, {r for _, r in refs})))  # each row number repeats once per cell


# --- .xls (OLE2 compound file) --------------------------------------------------------------------

def _check_xls(fh, head: bytes, size: int, limits: Limits) -> None:
    kind = _sniff(head)
    if kind == "html":
        raise _wrong_format("文件实际是网页（HTML）格式，只是扩展名为.xls（常见于从网站或业务系统导出的“Excel”）：请用Excel打开后另存为“Excel工作簿(*.xlsx)”再报送")
    if kind == "xml2003":
        raise _wrong_format("文件实际是XML表格（Excel 2003 XML）格式，只是扩展名为.xls：请用Excel打开后另存为“Excel工作簿(*.xlsx)”再报送")
    if kind == "zip":
        raise _wrong_format("文件实际是.xlsx格式，扩展名却是.xls：请将扩展名改为.xlsx，或用Excel另存为“Excel工作簿(*.xlsx)”再报送")
    if kind != "ole2":
        raise _wrong_format(f"文件内容不是Excel（.xls）格式，实际是{_DESCRIBE.get(kind, kind)}：请用Excel打开原表格后另存为“Excel工作簿(*.xlsx)”再报送")
    names = _check_ole2(fh, size, limits)
    if "Workbook" not in names and "Book" not in names:
        raise _wrong_format("文件不是Excel工作簿（是其他Office文档，如Word）：请报送Excel文件")


ENDOFCHAIN, FREESECT = 0xFFFFFFFE, 0xFFFFFFFF
_OLE_TRUNCATED = "文件不完整或已损坏（Office文件结构缺失，可能在下载、拷贝或上传时中断）：请重新导出完整的文件后报送"
ENCRYPTED = "文件设置了密码，无法读取：请在Excel中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新报送"


def _check_ole2(fh, size: int, limits: Limits) -> set[str]:
    """Walk an OLE2 compound file's header, FAT and directory with every count checked against the
    file's size (calamine reserves memory from these counts); the stream names; refuse encryption."""
    fh.seek(0)
    header = fh.read(512)
    if len(header) < 512:
        raise _Refuse("truncated", _OLE_TRUNCATED)
    shift = struct.unpack_from("<H", header, 30)[0]
    if shift not in (9, 12):
        raise _Refuse("damaged", f"文件已损坏（Office文件头异常）：{RESAVE}")
    ss = 1 << shift
    n_dir, n_fat, first_dir = struct.unpack_from("<3L", header, 40)
    mini_cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<5L", header, 56)
    sectors = max(0, (size - ss + ss - 1) // ss)  # sector i lives at (i + 1) * ss
    implausible = _Refuse("implausible_counts", f"文件头声明的结构大小超过文件本身（{_mb(size)}）所能容纳，疑似经过特殊构造：{RESAVE}")
    if max(n_fat, n_difat, n_minifat, n_dir) > sectors:
        raise implausible

    def sector(i: int) -> bytes:
        if i >= sectors:
            raise _Refuse("truncated", _OLE_TRUNCATED)
        fh.seek((i + 1) * ss)
        data = fh.read(ss)
        if not data:
            raise _Refuse("truncated", _OLE_TRUNCATED)
        return data.ljust(ss, b"\x00")  # a short last sector: some writers trim it

    per = ss // 4
    fat_sectors = list(struct.unpack_from("<109L", header, 76))
    difat, seen = first_difat, 0
    while difat not in (ENDOFCHAIN, FREESECT) and seen < n_difat:
        block = struct.unpack(f"<{per}L", sector(difat))
        fat_sectors += block[:-1]
        difat, seen = block[-1], seen + 1
    fat: list[int] = []
    for s in fat_sectors[:n_fat]:
        if s in (ENDOFCHAIN, FREESECT):
            break
        fat += struct.unpack(f"<{per}L", sector(s))

    def chain(start: int, limit: int):
        s, steps = start, 0
        while s != ENDOFCHAIN:
            if s >= len(fat) or s >= sectors or steps > limit:
                raise _Refuse("truncated", _OLE_TRUNCATED)
            yield s
            s, steps = fat[s], steps + 1

    directory = b"".join(sector(s) for s in chain(first_dir, sectors))
    names: set[str] = set()
    workbook: tuple[int, int] | None = None
    for off in range(0, len(directory) - 127, 128):
        entry = directory[off:off + 128]
        name_len, kind = struct.unpack_from("<HB", entry, 64)
        if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
            continue
        name = entry[:name_len - 2].decode("utf-16-le", "replace")
        start, stream_size = struct.unpack_from("<LQ", entry, 116)
        if ss == 512:
            stream_size &= 0xFFFFFFFF  # version 3 files: the high half is undefined
        if kind == 2 and stream_size > size:
            raise implausible
        names.add(name)
        if kind == 2 and name in ("Workbook", "Book") and workbook is None:
            workbook = (start, stream_size)
    if names & {"EncryptionInfo", "EncryptedPackage"}:
        raise _Refuse("encrypted", ENCRYPTED)
    if workbook and workbook[1] >= mini_cutoff:
        # BIFF: a FILEPASS record (0x002F) right after the first BOF means the workbook is encrypted.
        data = b"".join(sector(s) for _, s in zip(range(4), chain(workbook[0], sectors)))
        pos = 0
        while pos + 4 <= len(data):
            rtype, rlen = struct.unpack_from("<2H", data, pos)
            if rtype == 0x002F:
                raise _Refuse("encrypted", ENCRYPTED)
            if rtype in (0x0085, 0x000A) or (pos and rtype == 0x0809):
                break  # first sheet entry, end of globals, or the next substream: no FILEPASS
            pos += 4 + rlen
    return names


# --- .csv ----------------------------------------------------------------------------------------

def _check_csv(fh, head: bytes) -> None:
    kind = _sniff(head)
    if kind in ("zip", "ole2"):
        raise _wrong_format("文件实际是Excel格式，扩展名却是.csv：请将扩展名改为.xlsx或.xls后再报送")
    if kind == "UTF-16文本":
        raise _wrong_format("CSV文件使用了UTF-16（Unicode）编码：请另存为“CSV UTF-8(逗号分隔)”后再报送")
    if kind == "html":
        raise _wrong_format("文件实际是网页（HTML）格式，只是扩展名为.csv：请用Excel打开后另存为“CSV UTF-8(逗号分隔)”或.xlsx再报送")
    if kind not in ("text", "xml", "xml2003"):
        raise _wrong_format(f"文件内容不是CSV文本，实际是{kind}：请报送CSV文本文件或Excel文件")
    fh.seek(0)
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        if b"\x00" in chunk:
            raise _wrong_format("CSV文件中含有二进制内容（可能是UTF-16编码，或并非文本文件）：请另存为“CSV UTF-8(逗号分隔)”后再报送")
