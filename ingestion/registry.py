"""The registry of submission kinds (registry.yaml), loaded once."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REGISTRY_FILE = Path(__file__).with_name("registry.yaml")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    headers: tuple[str, ...]
    rule: str = ""
    required: bool = False
    length: int | None = None
    values: tuple[str, ...] = ()
    default: object = None

    @property
    def header(self) -> str:
        """The header the template prints."""
        return self.headers[0]

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


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    submitter: str
    formats: tuple[str, ...]
    sheets: tuple[Sheet, ...]
    submitter_field: str
    period_field: str
    region_field: str | None = None
    extra: dict = field(default_factory=dict)

    def sheet(self, key: str) -> Sheet:
        return next(s for s in self.sheets if s.key == key)


def normalise_header(text: object) -> str:
    """Compare headers the way a person reads them: width, spaces, line breaks and bracket style ignored."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = re.sub(r"\s+", "", s)
    return s.replace("（", "(").replace("）", ")")


@functools.cache
def kinds() -> dict[str, Kind]:
    data = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))
    out = {}
    for name, k in data["kinds"].items():
        sheets = tuple(
            Sheet(
                key=key,
                sheet=s["sheet"],
                table=s["table"],
                rows=s["rows"],
                fields=tuple(
                    Field(
                        name=f["name"],
                        type=f["type"],
                        headers=tuple(f["headers"]),
                        rule=f.get("rule", ""),
                        required=bool(f.get("required", False)),
                        length=f.get("length"),
                        values=tuple(f.get("values", ())),
                        default=f.get("default"),
                    )
                    for f in s["fields"]
                ),
            )
            for key, s in k["sheets"].items()
        )
        out[name] = Kind(
            name=name,
            title=k["title"],
            submitter=k["submitter"],
            formats=tuple(k["formats"]),
            sheets=sheets,
            submitter_field=k["submitter_field"],
            period_field=k["period_field"],
            region_field=k.get("region_field"),
        )
    return out


def tables() -> dict[str, Sheet]:
    """Raw table name → sheet definition, over all kinds."""
    return {s.table: s for k in kinds().values() for s in k.sheets}
