"""The .xls precheck: an OLE2 (compound file) header, FAT and directory walked with every count checked
against the file's size, since the reader reserves memory from those counts; encryption refused. Also
used for an OLE2 file named .xlsx (an old workbook, or a password-protected new one)."""
from __future__ import annotations

import struct

from ingestion.limits import Limits
from ingestion.refusal import RESAVE, Refuse, size_text, wrong_format
from ingestion.sniff import DESCRIBE, sniff


def check_xls(fh, head: bytes, size: int, limits: Limits) -> None:
    kind = sniff(head)
    if kind == "html":
        raise wrong_format("文件实际是网页（HTML）格式，只是扩展名为.xls（常见于从网站或业务系统导出的“Excel”）："
                           "请用Excel打开后另存为“Excel工作簿(*.xlsx)”再报送")
    if kind == "xml2003":
        raise wrong_format("文件实际是XML表格（Excel 2003 XML）格式，只是扩展名为.xls：请用Excel打开后另存为“Excel工作簿(*.xlsx)”再报送")
    if kind == "zip":
        raise wrong_format("文件实际是.xlsx格式，扩展名却是.xls：请将扩展名改为.xlsx，或用Excel另存为“Excel工作簿(*.xlsx)”再报送")
    if kind != "ole2":
        raise wrong_format(f"文件内容不是Excel（.xls）格式，实际是{DESCRIBE.get(kind, kind)}：请用Excel打开原表格后另存为“Excel工作簿(*.xlsx)”再报送")
    names = check_ole2(fh, size, limits)
    if "Workbook" not in names and "Book" not in names:
        raise wrong_format("文件不是Excel工作簿（是其他Office文档，如Word）：请报送Excel文件")


ENDOFCHAIN, FREESECT = 0xFFFFFFFE, 0xFFFFFFFF
_OLE_TRUNCATED = "文件不完整或已损坏（Office文件结构缺失，可能在下载、拷贝或上传时中断）：请重新导出完整的文件后报送"
ENCRYPTED = "文件设置了密码，无法读取：请在Excel中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）后重新报送"


def check_ole2(fh, size: int, limits: Limits) -> set[str]:
    """Walk an OLE2 compound file's header, FAT and directory with every count checked against the
    file's size (calamine reserves memory from these counts); the stream names; refuse encryption."""
    fh.seek(0)
    header = fh.read(512)
    if len(header) < 512:
        raise Refuse("truncated", _OLE_TRUNCATED)
    shift = struct.unpack_from("<H", header, 30)[0]
    if shift not in (9, 12):
        raise Refuse("damaged", f"文件已损坏（Office文件头异常）：{RESAVE}")
    ss = 1 << shift
    n_dir, n_fat, first_dir = struct.unpack_from("<3L", header, 40)
    mini_cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<5L", header, 56)
    sectors = max(0, (size - ss + ss - 1) // ss)  # sector i lives at (i + 1) * ss
    implausible = Refuse("implausible_counts", f"文件头声明的结构大小超过文件本身（{size_text(size)}）所能容纳，疑似经过特殊构造：{RESAVE}")
    if max(n_fat, n_difat, n_minifat, n_dir) > sectors:
        raise implausible

    def sector(i: int) -> bytes:
        if i >= sectors:
            raise Refuse("truncated", _OLE_TRUNCATED)
        fh.seek((i + 1) * ss)
        data = fh.read(ss)
        if not data:
            raise Refuse("truncated", _OLE_TRUNCATED)
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
                raise Refuse("truncated", _OLE_TRUNCATED)
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
        raise Refuse("encrypted", ENCRYPTED)
    if workbook and workbook[1] >= mini_cutoff:
        # BIFF: a FILEPASS record (0x002F) right after the first BOF means the workbook is encrypted.
        data = b"".join(sector(s) for _, s in zip(range(4), chain(workbook[0], sectors)))
        pos = 0
        while pos + 4 <= len(data):
            rtype, rlen = struct.unpack_from("<2H", data, pos)
            if rtype == 0x002F:
                raise Refuse("encrypted", ENCRYPTED)
            if rtype in (0x0085, 0x000A) or (pos and rtype == 0x0809):
                break  # first sheet entry, end of globals, or the next substream: no FILEPASS
            pos += 4 + rlen
    return names
