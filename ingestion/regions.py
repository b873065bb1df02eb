"""The region hierarchy of GB/T 2260 codes: province (PP0000), city (PPCC00), county (PPCCXX); 000000 is
the whole country. Worked out here only; whether a code exists is ingestion.codes' (the regions seed)."""
from __future__ import annotations

COUNTRY = "000000"


def level(code: str) -> str:
    if code == COUNTRY:
        return "country"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def city_of(code: str) -> str:
    return code[:4] + "00"


def province_of(code: str) -> str:
    return code[:2] + "0000"


def ancestors(code: str) -> list[str]:
    """The regions above `code`, nearest first (a county's city, then its province)."""
    return {"county": [city_of(code), province_of(code)], "city": [province_of(code)]}.get(level(code), [])


def parent(code: str) -> str | None:
    """The region directly above `code` (a county's city, a city's province); None above a city."""
    return next(iter(ancestors(code)), None)


def covers(region: str, code: str) -> bool:
    """Whether `region` is `code` or lies above it (a frame or register for a city covers its counties)."""
    return region in (COUNTRY, code) or region in ancestors(code)


def common_city(codes: set[str]) -> str | None:
    """The city every code lies in, if they share one."""
    cities = {city_of(c) for c in codes}
    return next(iter(cities)) if len(cities) == 1 else None
