"""Hostile and mislabelled files, written for real, are refused with the right rule — and never stop
the batch: good files beside them still parse, in order, within a bounded time."""
from __future__ import annotations

import multiprocessing
import os
import random
import signal
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
import xlwt

from ingestion.isolation import read_many
from ingestion.limits import MB, GiB, Limits
from ingestion.parsed import sha256_of
from ingestion.precheck import precheck
from ingestion.read import read_file
from ingestion.registry import kinds
from ingestion.setting import SettingError
from ingestion.templates import write_workbook
from tests.conftest import PII_KEY, make_uscc
from tests.faults import AbortOnMarker

KEY = PII_KEY.encode()
PERIOD = "2026-10"
SST = "xl/sharedStrings.xml"
SHEET1 = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.fixture(autouse=True)
def time_bound():
    """No test here may hang: the whole point is that the batch never stalls."""
    def expired(signum, frame):
        raise TimeoutError("test took longer than 90 s")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(90)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# --- files ----------------------------------------------------------------------------------------

def register_rows(n: int, serial: int = 0) -> list[dict]:
    return [{"uscc": make_uscc("410622", serial + i), "enterprise_name": f"测试企业{serial + i}有限公司", "region_code": "410622",
             "industry_code": "C36", "period": PERIOD} for i in range(n)]


def good(path: Path, n: int = 3, serial: int = 0) -> Path:
    return write_workbook(kinds()["above_scale_register"], path, {"above_scale_enterprises": register_rows(n, serial)})


def plain(path: Path) -> Path:
    """A tiny workbook with shared strings (xlsxwriter), the base the crafted parts are put into."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数据")
    ws.write(0, 0, "hello")
    ws.write(1, 0, "world")
    wb.close()
    return path


def replace_part(src: Path, dst: Path, name: str, data: bytes, method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            body = data if info.filename == name else zin.read(info.filename)
            zout.writestr(info.filename, body, compress_type=method if info.filename == name else zipfile.ZIP_DEFLATED)
    return dst


def sst(count: int, unique: int) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {NS} count="{count}" uniqueCount="{unique}">'
            "<si><t>hello</t></si><si><t>world</t></si></sst>").encode()


def sheet_xml(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}><sheetData>{body}</sheetData></worksheet>'.encode()


def ole2(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors), every stream in regular sectors."""
    ss = 512
    chains, sectors, fat = {}, [], []
    dir_entries = 1 + len(streams)
    dir_sectors = (dir_entries * 128 + ss - 1) // ss
    fat.append(0xFFFFFFFD)  # sector 0 holds the FAT
    first_dir = len(fat)
    for i in range(dir_sectors):
        fat.append(first_dir + i + 1 if i < dir_sectors - 1 else 0xFFFFFFFE)
    for name, data in streams.items():
        n = max(1, (len(data) + ss - 1) // ss)
        start = len(fat)
        chains[name] = start
        for i in range(n):
            fat.append(start + i + 1 if i < n - 1 else 0xFFFFFFFE)
        sectors.append(data.ljust(n * ss, b"\x00"))
    assert len(fat) <= ss // 4
    fat_sector = struct.pack(f"<{ss // 4}L", *(fat + [0xFFFFFFFF] * (ss // 4 - len(fat))))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB3L", len(raw), kind, 1, 0xFFFFFFFF, right, child)
                + b"\x00" * 36 + struct.pack("<LQ", start, size))

    names = list(streams)
    directory = entry("Root Entry", 5, 1 if names else 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE, 0)
    for i, name in enumerate(names, start=1):
        directory += entry(name, 2, 0xFFFFFFFF, i + 1 if i < len(names) else 0xFFFFFFFF, chains[name], len(streams[name]))
    directory = directory.ljust(dir_sectors * ss, b"\x00")
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16 + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<9L", 0, 1, first_dir, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<109L", 0, *([0xFFFFFFFF] * 108)))
    assert len(header) == 512
    return header + fat_sector + directory + b"".join(sectors)


def xls_biff(rows: list[list]) -> bytes:
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名录")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    return wb.get_biff_data()


def rules(parsed) -> list[str]:
    return [p.rule for p in parsed.problems]


def assert_good(parsed, path: Path, n: int = 3) -> None:
    assert parsed.path == path
    assert parsed.problems == [], parsed.problems
    assert parsed.kind == "above_scale_register" and parsed.row_count == n
    assert parsed.sha256 == sha256_of(path)


# --- precheck, file by file -------------------------------------------------------------------------

def test_good_files_pass(tmp_path):
    assert precheck(good(tmp_path / "good.xlsx")) is None
    assert precheck(plain(tmp_path / "plain.xlsx")) is None
    xls = tmp_path / "good.xls"
    wb = xlwt.Workbook(encoding="utf-8")
    wb.add_sheet("名录").write(0, 0, "统一社会信用代码")
    wb.save(str(xls))
    assert precheck(xls) is None
    csv = tmp_path / "good.csv"
    csv.write_text("统一社会信用代码,企业名称\n", encoding="gbk")
    assert precheck(csv) is None


def test_zip_bomb_real_bytes_past_the_total_limit(tmp_path):
    # 30 MB of plausible sheet XML (compresses ~6:1, under the ratio limit) against a 20 MB limit.
    rng = random.Random(1)
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{rng.randint(0, 10**9)}</v></c>' for c in "ABCDEFGHIJ") + "</row>"
                   for r in range(1, 110_001))
    data = sheet_xml(rows)
    assert len(data) > 30 * MB
    path = replace_part(plain(tmp_path / "base.xlsx"), tmp_path / "bomb.xlsx", SHEET1, data)
    problem = precheck(path, Limits(max_inflated_bytes=20 * MB))
    assert problem.rule == "zip_bomb"
    assert "超过20MB" in problem.message and "请另存为普通Excel文件后重新报送" in problem.message


def test_zip_bomb_by_ratio_even_when_declared_sizes_lie(tmp_path):
    data = sheet_xml("<row/>" * 12_000_000)  # 72 MB that deflates to ~70 KB
    path = replace_part(plain(tmp_path / "base.xlsx"), tmp_path / "ratio.xlsx", SHEET1, data)
    assert precheck(path).rule == "zip_bomb"
    # Now the directory and local header lie: the sheet claims to inflate to 1,000 bytes.
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(SHEET1)
    struct.pack_into("<L", raw, info.header_offset + 22, 1000)
    cd = next(m for m in range(len(raw)) if raw[m:m + 4] == b"PK\x01\x02" and raw[m + 46:m + 46 + len(SHEET1)] == SHEET1.encode())
    struct.pack_into("<L", raw, cd + 24, 1000)
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(bytes(raw))
    with zipfile.ZipFile(liar) as zf:
        assert zf.getinfo(SHEET1).file_size == 1000
    problem = precheck(liar)
    assert problem.rule == "zip_bomb" and "压缩比超过100:1" in problem.message
    # Past a few hundred KB only: a tiny part that compresses 500:1 is fine.
    tiny = replace_part(plain(tmp_path / "base2.xlsx"), tmp_path / "tiny.xlsx", SHEET1, sheet_xml("<row/>" * 40_000))
    assert precheck(tiny) is None


BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sst [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + f']>\n<sst {NS} count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>').encode()


def test_entities_and_doctype(tmp_path):
    path = replace_part(plain(tmp_path / "base.xlsx"), tmp_path / "laughs.xlsx", SST, BILLION_LAUGHS)
    problem = precheck(path)
    assert problem.rule == "xml_entities" and SST in problem.message
    # A bare DOCTYPE in a worksheet, far into the part (found while streaming, across chunks).
    data = sheet_xml("<row/>" * 200_000).replace(b"<sheetData>", b"<sheetData>" + b" " * (3 * MB) + b"<!DOCTYPE x>")
    path = replace_part(plain(tmp_path / "base2.xlsx"), tmp_path / "doctype.xlsx", SHEET1, data, method=zipfile.ZIP_STORED)
    assert precheck(path).rule == "xml_entities"


def test_html_and_xml_saved_as_xls(tmp_path):
    html = tmp_path / "export.xls"
    html.write_text("<html><head><meta charset='utf-8'></head><body><table><tr><td>统一社会信用代码</td></tr></table></body></html>", encoding="utf-8")
    problem = precheck(html)
    assert problem.rule == "wrong_format" and "网页（HTML）" in problem.message and ".xls" in problem.message
    xml = tmp_path / "export2003.xls"
    xml.write_text('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>')
    assert precheck(xml).rule == "wrong_format" and "Excel 2003 XML" in precheck(xml).message
    renamed = tmp_path / "renamed.xls"
    renamed.write_bytes(good(tmp_path / "g.xlsx").read_bytes())
    assert precheck(renamed).rule == "wrong_format" and "扩展名" in precheck(renamed).message


def test_truncated_png_empty_and_oversized(tmp_path):
    whole = good(tmp_path / "whole.xlsx", n=50).read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    assert precheck(cut).rule == "truncated"
    png = tmp_path / "photo.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + os.urandom(2000))
    problem = precheck(png)
    assert problem.rule == "wrong_format" and "PNG图片" in problem.message
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert precheck(empty).rule == "empty"
    big = good(tmp_path / "big.xlsx", n=200)
    problem = precheck(big, Limits(max_file_bytes=4096))
    assert problem.rule == "too_large" and "超过上限4KB" in problem.message
    assert precheck(big) is None


def test_declared_counts_beyond_the_part(tmp_path):
    # calamine#684: uniqueCount becomes a Vec capacity; 10^12 aborts the process (see the test below).
    for count, unique, attribute in ((10**12, 10**12, "uniqueCount"), (10**12, 2, "count")):
        path = replace_part(plain(tmp_path / "base.xlsx"), tmp_path / f"sst-{attribute}.xlsx", SST, sst(count, unique))
        problem = precheck(path)
        assert problem.rule == "implausible_counts" and f"（{attribute}）" in problem.message, problem
    honest = replace_part(plain(tmp_path / "base.xlsx"), tmp_path / "honest.xlsx", SST, sst(2, 2))
    assert precheck(honest) is None
    # The same claim written the ways an XML reader would still read as a number.
    for n, spelled in enumerate(("+1000000000000", " 1000000000000 ", "&#49;" + "&#48;" * 12)):
        data = sst(2, 2).replace(b'uniqueCount="2"', f"uniqueCount='{spelled}'".encode())
        path = replace_part(plain(tmp_path / "base.xlsx"), tmp_path / f"spelled{n}.xlsx", SST, data)
        assert precheck(path).rule == "implausible_counts", spelled


def test_cells_spanning_the_whole_grid(tmp_path):
    """Two cells at A1 and XFD1048576 make the reader lay out 17 billion cells: refused. A declared
    <dimension> alone is not (the reader does not allocate from it; Excel writes big ones for formats)."""
    corners = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')
    path = replace_part(plain(tmp_path / "base.xlsx"), tmp_path / "corners.xlsx", SHEET1, corners)
    problem = precheck(path)
    assert problem.rule == "implausible_counts" and problem.sheet == "数据" and "XFD1048576" in problem.message
    dimension = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>').replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
    assert precheck(replace_part(plain(tmp_path / "base2.xlsx"), tmp_path / "dim.xlsx", SHEET1, dimension)) is None


def test_encrypted_workbooks(tmp_path):
    # What Excel writes for a password-protected .xlsx: an OLE2 file holding the encrypted package.
    encrypted = tmp_path / "protected.xlsx"
    encrypted.write_bytes(ole2({"EncryptionInfo": b"\x04\x00\x04\x00" + os.urandom(200), "EncryptedPackage": os.urandom(5000)}))
    problem = precheck(encrypted)
    assert problem.rule == "encrypted" and "文件设置了密码" in problem.message
    # A legacy .xls with a FILEPASS record after its first BOF.
    biff = xls_biff([["统一社会信用代码"]])
    bof_len = 4 + struct.unpack_from("<H", biff, 2)[0]
    filepass = struct.pack("<2H", 0x002F, 6) + b"\x00\x00" + os.urandom(4)
    locked = tmp_path / "locked.xls"
    locked.write_bytes(ole2({"Workbook": (biff[:bof_len] + filepass + biff[bof_len:]).ljust(5000, b"\x00")}))
    assert precheck(locked).rule == "encrypted"
    # The same container without FILEPASS is a workbook; with .xlsx as its name it is mislabelled.
    plain_xls = ole2({"Workbook": biff.ljust(5000, b"\x00")})
    (tmp_path / "plain.xls").write_bytes(plain_xls)
    assert precheck(tmp_path / "plain.xls") is None
    (tmp_path / "legacy.xlsx").write_bytes(plain_xls)
    assert precheck(tmp_path / "legacy.xlsx").rule == "wrong_format"


def test_ole2_header_counts_beyond_the_file(tmp_path):
    raw = bytearray(ole2({"Workbook": xls_biff([["x"]]).ljust(5000, b"\x00")}))
    struct.pack_into("<L", raw, 44, 4_000_000)  # FAT sectors: 2 GB of FAT in a 6 KB file
    path = tmp_path / "fat.xls"
    path.write_bytes(bytes(raw))
    assert precheck(path).rule == "implausible_counts"
    path.write_bytes(bytes(raw[:520]))
    assert precheck(path).rule in ("implausible_counts", "truncated")


def test_csv(tmp_path):
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text("统一社会信用代码,企业名称\n", encoding="utf-16")
    assert precheck(utf16).rule == "wrong_format"
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"a,b\n" * 1000 + b"\x00")
    assert precheck(nul).rule == "wrong_format"
    xlsx_as_csv = tmp_path / "book.csv"
    xlsx_as_csv.write_bytes(good(tmp_path / "g.xlsx").read_bytes())
    assert precheck(xlsx_as_csv).rule == "wrong_format"


def test_other_zips_and_entry_counts(tmp_path):
    docx = tmp_path / "report.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    assert precheck(docx).rule == "wrong_format" and "Word" in precheck(docx).message
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(good(tmp_path / "g.xlsx")) as zin, zipfile.ZipFile(many, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        for i in range(60):
            zout.writestr(f"xl/media/image{i}.png", b"x")
    assert precheck(many, Limits(max_zip_entries=50)).rule == "zip_bomb"
    assert precheck(many) is None


def test_limits_from_a_mapping():
    limits = Limits.from_mapping({"CHANJIAO_LIMIT_MAX_FILE_BYTES": "1_000", "CHANJIAO_LIMIT_TIMEOUT_SECONDS": "2.5"})
    assert limits.max_file_bytes == 1000 and limits.timeout_seconds == 2.5 and limits.max_inflated_bytes == 300 * MB
    assert Limits.from_mapping({}) == Limits() == Limits.from_mapping({"CHANJIAO_LIMIT_MAX_CELLS": " "})
    with pytest.raises(SettingError, match="CHANJIAO_LIMIT_MAX_ENTRY_RATIO='lots' is not a number"):
        Limits.from_mapping({"CHANJIAO_LIMIT_MAX_ENTRY_RATIO": "lots"})
    with pytest.raises(SettingError, match="must be greater than 0"):
        Limits.from_mapping({"CHANJIAO_LIMIT_WORKER_MEMORY_BYTES": "0"})
    with pytest.raises(SettingError, match="finite"):
        Limits.from_mapping({"CHANJIAO_LIMIT_TIMEOUT_SECONDS": "nan"})


# --- the batch: isolation ---------------------------------------------------------------------------

def sleepy_reader(path, pii_key, period):
    """A reader that hangs on files named hang*."""
    if path.name.startswith("hang"):
        time.sleep(120)
    return read_file(path, pii_key, period)


def faulty_reader(path, pii_key, period):
    if path.name.startswith("bug"):
        raise ValueError("a bug in the reader")
    if path.name.startswith("hog"):
        return bytearray(4 * GiB)  # MemoryError under the worker's address-space limit
    return read_file(path, pii_key, period)


def test_a_batch_of_hostile_files_beside_good_ones(tmp_path):
    """Every kind of refusal in one batch of interleaved good files: right rule each, order kept."""
    base = plain(tmp_path / "base.xlsx")
    bad = {
        "laughs.xlsx": replace_part(base, tmp_path / "laughs.xlsx", SST, BILLION_LAUGHS),
        "cve684.xlsx": replace_part(base, tmp_path / "cve684.xlsx", SST, sst(10**12, 10**12)),
        "export.xls": tmp_path / "export.xls",
        "photo.xlsx": tmp_path / "photo.xlsx",
        "empty.xlsx": tmp_path / "empty.xlsx",
        "protected.xlsx": tmp_path / "protected.xlsx",
        "cut.xlsx": tmp_path / "cut.xlsx",
    }
    bad["export.xls"].write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    bad["photo.xlsx"].write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(500))
    bad["empty.xlsx"].write_bytes(b"")
    bad["protected.xlsx"].write_bytes(ole2({"EncryptionInfo": os.urandom(100), "EncryptedPackage": os.urandom(3000)}))
    whole = good(tmp_path / "whole.xlsx", n=40).read_bytes()
    bad["cut.xlsx"].write_bytes(whole[:-300])
    expected = {"laughs.xlsx": "xml_entities", "cve684.xlsx": "implausible_counts", "export.xls": "wrong_format", "photo.xlsx": "wrong_format",
                "empty.xlsx": "empty", "protected.xlsx": "encrypted", "cut.xlsx": "truncated"}
    paths = []
    for i, path in enumerate(bad.values()):
        paths += [good(tmp_path / f"good{i}.xlsx", n=3 + i, serial=100 * i), path]
    started = time.monotonic()
    results = list(read_many(paths, KEY, PERIOD, Limits(), workers=2))
    assert time.monotonic() - started < 30
    assert [r.path for r in results] == paths
    for i, result in enumerate(results):
        if i % 2 == 0:
            assert_good(result, paths[i], n=3 + i // 2)
        else:
            assert rules(result) == [expected[result.path.name]], (result.path.name, result.problems)
            assert result.sha256 == sha256_of(result.path) and result.kind is None and result.sheets == {}


def test_calamine_684_aborts_in_process_but_only_rejects_its_file(tmp_path):
    """The crafted file is real: read in-process, python-calamine aborts the interpreter (SIGABRT).
    Precheck refuses it; and with the cell-span limit lifted so a native abort does reach a worker,
    that worker dies alone and the batch goes on."""
    crafted = replace_part(plain(tmp_path / "base.xlsx"), tmp_path / "crafted.xlsx", SST, sst(10**12, 10**12))
    probe = ("import sys; from python_calamine import CalamineWorkbook as W; "
             "wb = W.from_path(sys.argv[1]); [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]")
    run = subprocess.run([sys.executable, "-c", probe, str(crafted)], capture_output=True, timeout=60, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert run.returncode == -signal.SIGABRT, run.stderr[-500:]

    corners = replace_part(plain(tmp_path / "base2.xlsx"), tmp_path / "corners.xlsx", SHEET1,
                           sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'))
    run = subprocess.run([sys.executable, "-c", probe, str(corners)], capture_output=True, timeout=60, env={**os.environ, "RUST_BACKTRACE": "0"})
    assert run.returncode == -signal.SIGABRT, run.stderr[-500:]

    goods = [good(tmp_path / f"g{i}.xlsx", n=2 + i, serial=10 * i) for i in range(4)]
    paths = [goods[0], crafted, goods[1], corners, goods[2], goods[3]]
    results = list(read_many(paths, KEY, PERIOD, Limits(max_cells=10**12), workers=2))
    assert [r.path for r in results] == paths
    assert rules(results[1]) == ["implausible_counts"]  # refused before parsing
    assert rules(results[3]) == ["memory"]  # calamine asked for 549 GB under the 2 GiB cap and aborted
    assert results[3].sha256 == sha256_of(corners)
    for i, g in zip((0, 2, 4, 5), goods):
        assert_good(results[i], g, n=2 + goods.index(g))


def test_an_aborting_worker_is_a_real_crash_and_the_marker_inert_without_the_fault(tmp_path):
    marked = good(tmp_path / "marked.xlsx", n=2)
    with zipfile.ZipFile(marked, "a") as zf:
        zf.comment = b"CHANJIAO-ABORT-ME"
    goods = [good(tmp_path / f"g{i}.xlsx", n=3, serial=10 * i) for i in range(3)]
    paths = [goods[0], marked, goods[1], marked, goods[2]]
    assert [rules(r) for r in read_many(paths, KEY, PERIOD, workers=2)] == [[]] * 5  # inert: the marked file is a good file
    results = list(read_many(paths, KEY, PERIOD, workers=2, faults=AbortOnMarker(b"CHANJIAO-ABORT-ME")))
    assert [r.path for r in results] == paths
    assert rules(results[1]) == rules(results[3]) == ["crashed"]
    assert "崩溃" in results[1].problems[0].message and results[1].sha256 == sha256_of(marked)
    for i, g in ((0, goods[0]), (2, goods[1]), (4, goods[2])):
        assert_good(results[i], g)


def test_a_hanging_file_is_killed_at_the_timeout(tmp_path):
    goods = [good(tmp_path / f"g{i}.xlsx", n=3, serial=10 * i) for i in range(4)]
    hang = good(tmp_path / "hang.xlsx", n=3, serial=99)
    paths = [goods[0], hang, goods[1], goods[2], goods[3]]
    started = time.monotonic()
    results = list(read_many(paths, KEY, PERIOD, Limits(timeout_seconds=2), workers=2, reader=sleepy_reader))
    elapsed = time.monotonic() - started
    assert elapsed < 20, elapsed
    assert [r.path for r in results] == paths
    assert rules(results[1]) == ["timeout"] and "2秒" in results[1].problems[0].message
    for i, g in ((0, goods[0]), (2, goods[1]), (3, goods[2]), (4, goods[3])):
        assert_good(results[i], g)


def test_one_worker_survives_everything_in_turn(tmp_path):
    """With a single worker every failure must be followed by a fresh worker that reads the next file."""
    marked = good(tmp_path / "marked.xlsx", n=2)
    with zipfile.ZipFile(marked, "a") as zf:
        zf.comment = b"CHANJIAO-ABORT-ME"
    files = {"ok1": good(tmp_path / "ok1.xlsx"), "bug": good(tmp_path / "bug.xlsx"), "ok2": good(tmp_path / "ok2.xlsx"),
             "hog": good(tmp_path / "hog.xlsx"), "ok3": good(tmp_path / "ok3.xlsx"), "hang": good(tmp_path / "hang.xlsx"),
             "ok4": good(tmp_path / "ok4.xlsx"), "marked": marked, "ok5": good(tmp_path / "ok5.xlsx"),
             "oom": good(tmp_path / "oom.xlsx"), "segv": good(tmp_path / "segv.xlsx"), "ok6": good(tmp_path / "ok6.xlsx")}
    limits = Limits(timeout_seconds=3, worker_memory_bytes=GiB)

    results = list(read_many(files.values(), KEY, PERIOD, limits, workers=1, reader=combined_reader, faults=AbortOnMarker(b"CHANJIAO-ABORT-ME")))
    got = {r.path.stem: rules(r) for r in results}
    assert [r.path.stem for r in results] == list(files)
    assert got == {"ok1": [], "bug": ["reader_error"], "ok2": [], "hog": ["memory"], "ok3": [], "hang": ["timeout"],
                   "ok4": [], "marked": ["crashed"], "ok5": [], "oom": ["memory"], "segv": ["crashed"], "ok6": []}
    assert all(r.sha256 == sha256_of(r.path) for r in results)


def combined_reader(path, pii_key, period):
    if path.name.startswith("oom"):
        os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer does
    if path.name.startswith("segv"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if path.name.startswith("hang"):
        return sleepy_reader(path, pii_key, period)
    return faulty_reader(path, pii_key, period)


def test_results_match_the_in_process_reader_and_xls_goes_through(tmp_path):
    xls = tmp_path / "名录.xls"
    rows = register_rows(5)
    headers = ["统一社会信用代码", "企业名称", "所在地区划代码", "行业代码", "报告期"]
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("规模以上企业名录")
    for c, h in enumerate(headers):
        ws.write(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, key in enumerate(["uscc", "enterprise_name", "region_code", "industry_code", "period"]):
            ws.write(r, c, row[key])
    wb.save(str(xls))
    paths = [good(tmp_path / "a.xlsx", n=7), xls]
    isolated = list(read_many(paths, KEY, PERIOD, workers=2))
    for path, parsed in zip(paths, isolated):
        direct = read_file(path, KEY, PERIOD)
        assert parsed.problems == direct.problems == []
        assert (parsed.kind, parsed.submitter, parsed.period, parsed.region) == (direct.kind, direct.submitter, direct.period, direct.region)
        assert {k: s.rows for k, s in parsed.sheets.items()} == {k: s.rows for k, s in direct.sheets.items()}
    assert isolated[1].row_count == 5


def test_abandoning_the_iterator_stops_the_workers(tmp_path):
    paths = [good(tmp_path / f"g{i}.xlsx", serial=10 * i) for i in range(6)]
    it = read_many(paths, KEY, PERIOD, workers=2)
    first = next(it)
    assert_good(first, paths[0])
    assert any(p.name == "chanjiao-reader" for p in multiprocessing.active_children())
    it.close()
    assert not any(p.name == "chanjiao-reader" for p in multiprocessing.active_children())
    assert list(read_many([], KEY, PERIOD)) == []
