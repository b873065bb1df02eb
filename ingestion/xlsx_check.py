"""The .xlsx precheck: one pass over the zip, every entry inflated by us with a cap (declared sizes can
lie), counting real bytes against the limits, rejecting DOCTYPE/ENTITY declarations while streaming,
and comparing what a part declares (shared-string counts, the cells a sheet spans) with what its size
could hold. No spreadsheet library sees the file before this has passed."""
from __future__ import annotations

import re
import struct
import zipfile
import zlib

from ingestion.limits import CHUNK, KB, MB, Limits
from ingestion.refusal import RESAVE, Refuse, size_text, wrong_format
from ingestion.sniff import DESCRIBE, sniff
from ingestion.xls_check import check_ole2


def check_xlsx(fh, head: bytes, size: int, limits: Limits) -> None:
    kind = sniff(head)
    if kind == "ole2":
        names = check_ole2(fh, size, limits)  # raises `encrypted` for a password-protected workbook
        if "Workbook" in names or "Book" in names:
            raise wrong_format("文件实际是旧版Excel（.xls）格式，扩展名却是.xlsx：请用Excel打开后另存为“Excel工作簿(*.xlsx)”再报送")
        raise wrong_format("文件不是Excel工作簿（是其他Office文档）：请报送Excel文件")
    if kind != "zip":
        raise wrong_format(f"文件内容不是Excel（.xlsx）格式，实际是{DESCRIBE.get(kind, kind)}：请用Excel打开原表格后另存为“Excel工作簿(*.xlsx)”再报送")
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
            raise Refuse("truncated", "文件不完整或已损坏（压缩包目录缺失，可能在下载、拷贝或上传时中断）：请重新导出完整的文件后报送") from exc
        except (ValueError, struct.error, OSError, EOFError) as exc:
            raise Refuse("truncated", f"文件不完整或已损坏（{exc}）：请重新导出完整的文件后报送") from exc
        infos = zf.infolist()
        limits = self.limits
        if len(infos) > limits.max_zip_entries:
            raise self._too_many(len(infos))
        names = {i.filename for i in infos}
        if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
            raise wrong_format("文件实际是Excel二进制工作簿（.xlsb）格式：请用Excel另存为“Excel工作簿(*.xlsx)”再报送")
        if "xl/workbook.xml" not in names:
            what = "Word文档" if "word/document.xml" in names else "PowerPoint演示文稿" if "ppt/presentation.xml" in names else "普通压缩包"
            raise wrong_format(f"文件内容不是Excel工作簿，实际是{what}：请报送Excel文件（.xlsx）")
        declared = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise Refuse("encrypted", "文件设置了密码（压缩包加密），无法读取：请取消密码后重新报送")
            declared += info.file_size
            if declared > limits.max_inflated_bytes:
                raise self._too_big()
            self._check_ratio(info.filename, info.file_size, info.compress_size)
        for info in infos:
            self._inflate(info)
        self._judge_claims()

    # limits ------------------------------------------------------------------------------------
    def _too_big(self) -> Refuse:
        return Refuse("zip_bomb", f"文件解压后超过{size_text(self.limits.max_inflated_bytes)}，疑似异常文件：请另存为普通Excel文件后重新报送")

    def _too_many(self, n: int) -> Refuse:
        return Refuse("zip_bomb", f"文件内部包含{n}个部件，超过上限{self.limits.max_zip_entries}个，疑似异常文件：{RESAVE}")

    def _check_ratio(self, name: str, inflated: int, compressed: int) -> None:
        limits = self.limits
        if inflated > limits.ratio_min_bytes and inflated > limits.max_entry_ratio * max(compressed, 1):
            raise Refuse("zip_bomb", f"文件中的部件“{name}”压缩比超过{limits.max_entry_ratio:g}:1（解压后{size_text(inflated)}），疑似压缩炸弹：{RESAVE}")

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
            raise wrong_format(f"文件中的部件“{name}”使用了Excel不会使用的压缩方式：{RESAVE}")
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
                        raise Refuse("damaged", f"文件已损坏（部件“{name}”无法解压）：{RESAVE}") from exc
                    tail = inflater.unconsumed_tail
                    if not out and tail and len(tail) == len(pending) and not inflater.eof:
                        raise Refuse("damaged", f"文件已损坏（部件“{name}”无法解压）：{RESAVE}")  # no progress
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
            raise Refuse("damaged", f"文件已损坏（部件“{name}”校验失败）：{RESAVE}")
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
                raise Refuse("implausible_counts", f"文件中的共享字符串表声明有{value}个字符串（{attribute}），但其大小只有{size_text(size)}，"
                                                   f"声明与内容不符，疑似经过特殊构造：{RESAVE}")
        total, largest = 0, None
        for part, (col, row) in self.sheet_spans.items():
            cells = col * row
            total += cells
            if largest is None or cells > largest[1]:
                largest = (part, cells, col, row)
            if col > MAX_COLUMN or row > MAX_ROW:
                raise Refuse("implausible_counts", f"工作表中有单元格位置超出Excel的表格范围（{_ref_text(col, row)}），疑似经过特殊构造：{RESAVE}",
                             self._sheet_name(part))
        if largest and total > self.limits.max_cells:
            part, _, col, row = largest
            raise Refuse("implausible_counts", f"工作表的数据区域异常大（A1:{_ref_text(col, row)}，约{col * row:,}个单元格，"
                                               f"超过上限{self.limits.max_cells:,}）：请删除表格下方和右侧多余的行、列（包括只有格式或空格的单元格）后另存再报送",
                         self._sheet_name(part))

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


class _Truncated(Refuse):
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
            raise wrong_format(f"文件中的部件“{self.name}”使用了UTF-16编码，Excel不会这样保存，疑似经过特殊构造：{RESAVE}")
        # Anywhere in the part, not only before the root element: a declaration there is not well-formed
        # XML, but a lenient parser may still act on it. "!" is rare in spreadsheet XML, so most parts
        # are passed by one fast byte search; the rest by one regex search, in C whatever their size.
        if b"!" in data and _DECLARATION.search(data):
            raise Refuse("xml_entities", f"文件中的部件“{self.name}”含有DOCTYPE/实体声明（Excel不会写入，可被用来让读取程序耗尽内存），"
                                         f"疑似经过特殊构造：{RESAVE}")

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
            raise wrong_format(f"文件中的部件“{self.name}”开头没有XML内容，结构异常：{RESAVE}")

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
