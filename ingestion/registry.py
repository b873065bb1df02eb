"""The registry of submission kinds (registry.yaml), loaded once."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REGISTRY_FILE = Path(__file__).with_name("registry.yaml")
TYPES = {"code", "submitter_code", "text", "pii", "id_number", "uscc", "region", "int", "number", "ratio",
         "flag", "enum", "date", "period", "month", "year"}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    headers: tuple[str, ...]
    rule: str = ""
    required: bool = False
    length: int | None = None
    values: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    default: object = None
    unit: str | None = None
    core: tuple[str, ...] = ()  # terms that name this field wherever they appear in a header (信用代码)

    @property
    def header(self) -> str:
        """The header the template prints."""
        return self.headers[0]

    @property
    def choices(self) -> tuple[str, ...]:
        """What a drop-down list offers for this field (empty: free entry)."""
        return ("是", "否") if self.type == "flag" else self.values

    @property
    def columns(self) -> tuple[str, ...]:
        """The warehouse columns this field becomes (personal data only ever as hashes)."""
        if self.type == "pii":
            return (f"{self.name}_hash",)
        if self.type == "id_number":
            return (f"{self.name}_hash", f"{self.name}_valid")
        if self.type in ("uscc", "region"):
            return (self.name, f"{self.name}_valid")
        return (self.name,)


@dataclass(frozen=True)
class Sheet:
    key: str
    sheet: str
    table: str
    rows: str
    fields: tuple[Field, ...]

    @functools.cached_property  # asked for every sheet tried on every grid; the fields never change
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)

    @functools.cached_property
    def cores(self) -> dict[str, Field]:
        """Header core (`core_of`) → the one field of this sheet whose headers have it. A core two fields
        share is left out: there the sheet leaves doubt, and only a field's own headers name it."""
        owners: dict[str, dict[str, Field]] = {}
        for f in self.fields:
            for h in f.headers:
                owners.setdefault(core_of(split_unit(normalise_header(h))[0]), {})[f.name] = f
        return {c: next(iter(fs.values())) for c, fs in owners.items() if c and len(fs) == 1}


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    submitter: str
    formats: tuple[str, ...]
    sheets: tuple[Sheet, ...]
    submitter_field: str
    period_field: str | None
    region_field: str | None = None
    instructions: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    def sheet(self, key: str) -> Sheet:
        return next(s for s in self.sheets if s.key == key)


_SPACES = re.compile(r"\s+")
# Brackets people write around units and notes, after NFKC has made full-width ones half-width.
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")", "<": "(", ">": ")", "《": "(", "》": ")"})


@functools.lru_cache(maxsize=1 << 16, typed=True)  # typed: True and 1 are different cells
def normalise_header(text: object) -> str:
    """Compare headers the way a person reads them (templates.md, "Headers are matched after
    normalisation"): width, spaces, line breaks, case, bracket style and a required-field star ignored."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = _SPACES.sub("", s).casefold().translate(_BRACKETS)
    return s.strip("*※")


_UNIT_IN_BRACKETS = re.compile(r"(.+?)\((?:单位:)?([^()]+)\)")
_UNIT_AFTER = re.compile(r"(.+?)(?:/|,|单位:|\(单位:)([^()/,]+?)\)?")
_NOTE = re.compile(r"(.+?)\([^()]*\)")
_MONEY_HINT = re.compile(r"元|yuan|rmb|cny|¥|\$|usd|万|千|亿|百")


@functools.lru_cache(maxsize=1 << 14)
def split_unit(header: str) -> tuple[str, str | None]:
    """A normalised header and the unit written after it: "工资总额(万元)", "工资总额(单位:万元)",
    "工资总额/万元" → ("工资总额", "万元"). Only known units are split off, so brackets that belong to
    the name stay in it."""
    for pattern in (_UNIT_IN_BRACKETS, _UNIT_AFTER):
        m = pattern.fullmatch(header)
        if m and (m[2] in units()["money"] or m[2] in units()["count"]):
            return m[1], m[2]
    return header, None


@functools.lru_cache(maxsize=1 << 14)
def header_readings(header: str) -> tuple[tuple[str, str | None], ...]:
    """What a normalised header may name, as (base, unit), most literal first: the header with its
    written unit split off; without a trailing note in brackets ("身份证号(选填)", "是否双师型(是/否)");
    without a money unit written straight after the name ("工资总额万元"). The reader takes the first
    reading that names a field, so a note never hides a header that names one as written."""
    base, unit = split_unit(header)
    out = [(base, unit)]
    m = _NOTE.fullmatch(base)
    if m:
        # a note about money that is no unit we know ("(10k yuan)") is kept as the unit, so a money
        # column refuses it instead of taking a unit from elsewhere: convert, never guess
        note = m[0][len(m[1]) + 1:-1]
        out.append(split_unit(m[1]) if split_unit(m[1])[1] else (m[1], note if _MONEY_HINT.search(note) else unit))
    if unit is None:
        money = next((u for u in sorted(units()["money"], key=len, reverse=True) if base.endswith(u) and len(base) > len(u)), None)
        if money:
            out.append((base[: -len(money)], money))
    return tuple(dict.fromkeys(out))


@functools.cache
def qualifiers() -> tuple[str, ...]:
    """The qualifiers a submitter may drop from a header, normalised, longest first."""
    return tuple(sorted((normalise_header(q) for q in _data().get("qualifiers", ())), key=len, reverse=True))


@functools.lru_cache(maxsize=1 << 14)
def core_of(base: str) -> str:
    """A header base without the qualifiers a submitter may drop (registry.yaml `qualifiers`)."""
    for q in qualifiers():
        base = base.replace(q, "")
    return base


# libyaml's parser with PyYAML's safe constructors: the same data as yaml.safe_load, ten times faster
# (every reader worker process used to spend ~60 ms parsing the registry before its first file).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _data() -> dict:
    # S506: _SAFE_LOADER is SafeLoader or libyaml's CSafeLoader, no SafeLoader subclass but built on the same SafeConstructor
    return yaml.load(REGISTRY_FILE.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader, see above


def units() -> dict:
    """{"money": {unit: factor in 元}, "count": [unit, ...]}."""
    return _data()["units"]


@functools.cache
def row_markers() -> dict[str, tuple[str, ...]]:
    """{"totals": (...), "footnotes": (...)}, normalised as headers are."""
    return {k: tuple(normalise_header(v) for v in values) for k, values in _data()["row_markers"].items()}


def _field(f: dict) -> Field:
    return Field(
        name=f["name"],
        type=f["type"],
        headers=tuple(f["headers"]),
        rule=f.get("rule", ""),
        required=bool(f.get("required", False)),
        length=f.get("length"),
        values=tuple(f.get("values", ())),
        aliases=tuple((f.get("aliases") or {}).items()),
        default=f.get("default"),
        unit=f.get("unit"),
        core=tuple(f.get("core", ())),
    )


def _check(sheet: Sheet) -> None:
    """Refuse a registry a reader could not apply unambiguously: caught when the module loads, not on a file."""
    seen: dict[str, str] = {}
    for f in sheet.fields:
        if f.type not in TYPES:
            raise ValueError(f"{sheet.key}.{f.name}: unknown type {f.type}")
        if f.unit is not None and f.unit not in units()["money"]:
            raise ValueError(f"{sheet.key}.{f.name}: unknown unit {f.unit}")
        for h in f.headers:
            base = split_unit(normalise_header(h))[0]
            if seen.setdefault(base, f.name) != f.name:
                raise ValueError(f"{sheet.key}: header {h} names both {seen[base]} and {f.name}")


@functools.cache
def kinds() -> dict[str, Kind]:
    out = {}
    for name, k in _data()["kinds"].items():
        sheets = tuple(
            Sheet(key=key, sheet=s["sheet"], table=s["table"], rows=s["rows"], fields=tuple(_field(f) for f in s["fields"]))
            for key, s in k["sheets"].items()
        )
        for s in sheets:
            _check(s)
        out[name] = Kind(
            name=name,
            title=k["title"],
            submitter=k["submitter"],
            formats=tuple(k["formats"]),
            sheets=sheets,
            submitter_field=k["submitter_field"],
            period_field=k.get("period_field"),
            region_field=k.get("region_field"),
            instructions=tuple(k.get("instructions", ())),
        )
    return out


def tables() -> dict[str, Sheet]:
    """Raw table name → sheet definition, over all kinds."""
    return {s.table: s for k in kinds().values() for s in k.sheets}
