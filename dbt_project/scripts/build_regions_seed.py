"""Build the ``regions`` dbt seed (GB/T 2260 行政区划代码) from python-stdnum's ``cn/loc.dat``.

loc.dat (shipped with python-stdnum, compiled from the zh.wikipedia lists of
中华人民共和国行政区划代码, which transcribe GB/T 2260 and its yearly updates) is nested::

    41 province="河南省"
      0600 county="鹤壁市"
      0611 county="[1983-2000]郊区,[2001-]淇滨区"

A ``province`` line gives the 2-digit province prefix; each indented line gives the remaining 4
digits and one or more comma-separated spans ``[from-to]name`` (either year may be missing; no
bracket at all = listed in every edition the source covers and still valid). ``xx0000`` is the
province itself, ``xxyy00`` (yy != 00) a prefecture-level unit (地级), anything else county level.

Rules applied (documented in seeds/_seeds.yml):
- one row per code; when a code carries several spans (reused codes, renames) only the latest
  (last listed) span is kept, so region_code is unique;
- valid_from_year / valid_to_year are the years printed in loc.dat (blank from = present since
  the earliest edition covered, blank to = still valid);
- "pseudo-cities" (市辖区, 县, 省直辖县级行政单位, ...) are kept as city rows; a county under a
  pseudo-city gets parent_code = the province and city_code = the pseudo-city; a county with no
  xxyy00 row at all (Hainan's 4600zz, 1988-2002) gets parent_code = province, city_code blank;
- the NBS statistical codes (统计用区划代码) of 鹤壁's development zones are appended with
  is_dev_zone = true and parent 410600.

Usage: python dbt_project/scripts/build_regions_seed.py [OUTPUT_CSV]
"""

from __future__ import annotations

import csv
import re
import sys
from importlib import metadata
from pathlib import Path

import stdnum

COLUMNS = [
    "region_code",
    "region_name",
    "region_level",
    "parent_code",
    "province_code",
    "city_code",
    "valid_from_year",
    "valid_to_year",
    "is_dev_zone",
]

# City-level entries of GB/T 2260 that are groupings, not real prefecture-level units.
PSEUDO_CITY_NAMES = frozenset(
    {"市辖区", "县", "省直辖县级行政单位", "省直辖行政单位", "自治区直辖县级行政单位"}
)

# Statistical codes (统计用区划代码, NBS) of development zones; not part of GB/T 2260. templates.md
# accepts them as region codes, mapped to their parent city: every one of 河南's, as NBS lists them
# (2023 edition; 鹤壁's 410690 from the collecting bureau). (code, name, parent city code); validity
# years are not known from a shipped source -> blank.
DEV_ZONES = [
    ("410171", "郑州经济技术开发区", "410100"),
    ("410172", "郑州高新技术产业开发区", "410100"),
    ("410173", "郑州航空港经济综合实验区", "410100"),
    ("410271", "开封城乡一体化示范区", "410200"),
    ("410371", "洛阳高新技术产业开发区", "410300"),
    ("410471", "平顶山高新技术产业开发区", "410400"),
    ("410472", "平顶山市城乡一体化示范区", "410400"),
    ("410571", "安阳高新技术产业开发区", "410500"),
    ("410671", "鹤壁经济技术开发区", "410600"),
    ("410690", "鹤壁城乡一体化示范区", "410600"),
    ("410771", "新乡高新技术产业开发区", "410700"),
    ("410772", "新乡经济技术开发区", "410700"),
    ("410773", "新乡市平原城乡一体化示范区", "410700"),
    ("410871", "焦作城乡一体化示范区", "410800"),
    ("410971", "河南濮阳工业园区", "410900"),
    ("410972", "濮阳经济技术开发区", "410900"),
    ("411071", "许昌经济技术开发区", "411000"),
    ("411171", "漯河经济技术开发区", "411100"),
    ("411271", "河南三门峡经济开发区", "411200"),
    ("411371", "南阳高新技术产业开发区", "411300"),
    ("411372", "南阳市城乡一体化示范区", "411300"),
    ("411471", "豫东综合物流产业聚集区", "411400"),
    ("411472", "河南商丘经济开发区", "411400"),
    ("411571", "信阳高新技术产业开发区", "411500"),
    ("411671", "河南周口经济开发区", "411600"),
    ("411771", "河南驻马店经济开发区", "411700"),
]

_PROVINCE_RE = re.compile(r'^(\d{2}) province="([^"]+)"$')
_ENTRY_RE = re.compile(r'^ {2}(\d{4}) county="([^"]+)"$')
_SPAN_RE = re.compile(r"^(?:\[(\d{4})?-(\d{4})?\])?(.+)$")

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "seeds" / "regions.csv"


def loc_dat_path() -> Path:
    return Path(stdnum.__file__).resolve().parent / "cn" / "loc.dat"


def parse_spans(text: str) -> list[tuple[str, str, str]]:
    """'[1983-2000]郊区,[2001-]淇滨区' -> [('1983', '2000', '郊区'), ('2001', '', '淇滨区')]."""
    spans = []
    for part in text.split(","):
        match = _SPAN_RE.match(part.strip())
        if not match:
            raise ValueError(f"unparseable span {part!r}")
        spans.append((match.group(1) or "", match.group(2) or "", match.group(3).strip()))
    return spans


def parse_loc_dat(lines) -> dict[str, tuple[str, str, str]]:
    """Return {6-digit code: (valid_from, valid_to, name)} keeping each code's latest span."""
    entries: dict[str, tuple[str, str, str]] = {}
    province_names: dict[str, str] = {}
    prefix = None
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if match := _PROVINCE_RE.match(line):
            prefix = match.group(1)
            province_names[prefix] = match.group(2)
            continue
        match = _ENTRY_RE.match(line)
        if not match or prefix is None:
            raise ValueError(f"unexpected line in loc.dat: {line!r}")
        code = prefix + match.group(1)
        if code in entries:
            raise ValueError(f"duplicate code {code}")
        spans = parse_spans(match.group(2))
        # loc.dat lists spans in chronological order; the last one is the latest.
        starts = [int(start or 0) for start, _, _ in spans]
        if starts != sorted(starts):
            raise ValueError(f"spans of {code} not in chronological order")
        entries[code] = spans[-1]
    for prefix, name in province_names.items():
        entries.setdefault(prefix + "0000", ("", "", name))
    return entries


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def build_rows(entries: dict[str, tuple[str, str, str]]) -> list[dict[str, str]]:
    rows = []
    for code, (valid_from, valid_to, name) in entries.items():
        level = level_of(code)
        province = code[:2] + "0000"
        if level == "province":
            parent, city = "", ""
        elif level == "city":
            parent, city = province, code
        else:
            city_candidate = code[:4] + "00"
            if city_candidate != province and city_candidate in entries:
                city = city_candidate
                is_pseudo = entries[city_candidate][2] in PSEUDO_CITY_NAMES
                parent = province if is_pseudo else city_candidate
            else:
                city, parent = "", province
        rows.append(
            {
                "region_code": code,
                "region_name": name,
                "region_level": level,
                "parent_code": parent,
                "province_code": province,
                "city_code": city,
                "valid_from_year": valid_from,
                "valid_to_year": valid_to,
                "is_dev_zone": "false",
            }
        )
    for code, name, parent in DEV_ZONES:
        if code in entries:
            raise ValueError(f"development-zone code {code} collides with GB/T 2260")
        if parent not in entries:
            raise ValueError(f"parent {parent} of {code} missing")
        rows.append(
            {
                "region_code": code,
                "region_name": name,
                "region_level": "county",
                "parent_code": parent,
                "province_code": code[:2] + "0000",
                "city_code": parent,
                "valid_from_year": "",
                "valid_to_year": "",
                "is_dev_zone": "true",
            }
        )
    rows.sort(key=lambda row: row["region_code"])
    return rows


def write_csv(rows: list[dict[str, str]], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    source = loc_dat_path()
    with source.open(encoding="utf-8") as handle:
        rows = build_rows(parse_loc_dat(handle))
    write_csv(rows, output)
    levels = {level: sum(row["region_level"] == level for row in rows) for level in ("province", "city", "county")}
    print(
        f"python-stdnum {metadata.version('python-stdnum')} {source} -> {output}: "
        f"{len(rows)} rows {levels}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
