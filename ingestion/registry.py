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


@functools.lru_cache(maxsize=1 << 16, typed=True)  # typed: True and 1 are different cells
def normalise_header(text: object) -> str:
    """Compare headers the way a person reads them: width, spaces, line breaks, case, bracket style and
    a required-field star ignored."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = _SPACES.sub("", s).casefold()
    if not s.isascii():  # the brackets and the ※ below are not ASCII
        s = s.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    return s.strip("*※")


@functools.lru_cache(maxsize=1 << 14)
def split_unit(header: str) -> tuple[str, str | None]:
    """A normalised header and the unit written in its trailing brackets: "工资总额(万元)" → ("工资总额", "万元").

    Only known units are split off, so brackets that belong to the name stay in it."""
    m = re.fullmatch(r"(.+?)\((?:单位[:：])?([^()]+)\)", header)
    if m and (m[2] in units()["money"] or m[2] in units()["count"]):
        return m[1], m[2]
    return header, None


# libyaml's parser with PyYAML's safe constructors: the same data as yaml.safe_load, ten times faster
# (every reader worker process used to spend ~60 ms parsing the registry before its first file).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _data() -> dict:
    return yaml.load(REGISTRY_FILE.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)


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
