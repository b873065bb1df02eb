"""Checks on the dbt seeds (dbt_project/seeds/*.csv) that need no dbt: plain csv reads."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"

TARGET_COLUMNS = [
    "jurisdiction_code",
    "jurisdiction_name",
    "indicator_code",
    "kind",
    "comparator",
    "lower",
    "upper",
    "by_year",
    "population",
    "scope_region",
    "rule_days",
    "rule_window_months",
    "band_lower",
    "band_upper",
    "source_document",
    "clause",
    "source_quality",
]

POPULATIONS = {
    "all",
    "secondary_schools",
    "higher_schools",
    "all_teachers",
    "fulltime_professional_teachers",
    "carrier_high_level",
    "carrier_led_by_higher_school",
    "dual_or_integrated",
}
CARRIER_LEVEL = re.compile(r"^carrier_level:\S+$")


def read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    raw = (SEEDS / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{name} has a BOM"
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def targets() -> list[dict[str, str]]:
    return read("targets.csv")[1]


@pytest.fixture(scope="module")
def regions() -> dict[str, dict[str, str]]:
    _, rows = read("regions.csv")
    return {row["region_code"]: row for row in rows}


def test_targets_columns_and_row_count():
    columns, rows = read("targets.csv")
    assert columns == TARGET_COLUMNS
    assert len(rows) == 40


@pytest.mark.parametrize(
    ("indicator", "comparator", "lower", "by_year", "population"),
    [
        ("dual_teacher_ratio", ">=", "70", "2025", "dual_or_integrated"),
        ("apprenticeship_rate", ">", "10", "2025", "all"),
        ("above_scale_participation_rate", ">", "50", "2025", "all"),
        ("teacher_practice_compliance", ">=", "100", "", "fulltime_professional_teachers"),
        ("industry_college_count", ">=", "10", "2025", "carrier_led_by_higher_school"),
    ],
)
def test_hebi_rows_match_spec(targets, indicator, comparator, lower, by_year, population):
    matches = [
        row
        for row in targets
        if row["jurisdiction_code"] == "410600" and row["indicator_code"] == indicator
    ]
    assert len(matches) == 1
    row = matches[0]
    assert (row["comparator"], row["lower"], row["by_year"], row["population"]) == (
        comparator,
        lower,
        by_year,
        population,
    )
    assert row["source_document"] == "鹤政办〔2022〕1号"
    assert row["source_quality"] == "official"


def test_hebi_graduate_local_employment_has_two_deadlines(targets):
    rows = [
        (row["lower"], row["by_year"])
        for row in targets
        if row["jurisdiction_code"] == "410600"
        and row["indicator_code"] == "graduate_local_employment_rate"
    ]
    assert sorted(rows) == [("40", "2025"), ("50", "2030")]


def test_hebi_rule_and_band_variants(targets):
    by_indicator = {
        row["indicator_code"]: row for row in targets if row["jurisdiction_code"] == "410600"
    }
    practice = by_indicator["teacher_practice_compliance"]
    assert (practice["rule_days"], practice["rule_window_months"]) == ("60", "24")
    band = by_indicator["training_fund_extraction_compliance"]
    assert (band["band_lower"], band["band_upper"]) == ("1.5", "2.5")
    assert by_indicator["certified_enterprise_count"]["clause"].endswith("(左右)")
    assert by_indicator["part_time_teacher_ratio"]["kind"] == "reference"


def test_target_value_domains(targets):
    for row in targets:
        population = row["population"]
        assert population in POPULATIONS or CARRIER_LEVEL.match(population), population
        assert row["kind"] in {"target", "reference"}
        assert row["comparator"] in {">=", ">", "between"}
        assert row["source_quality"] in {"official", "compilation"}
        assert re.fullmatch(r"\d{4}|unknown|", row["by_year"]), row["by_year"]
        assert row["source_document"] and row["source_document"] != "同上"
        assert (row["by_year"] == "unknown") <= (row["source_quality"] == "compilation")


def test_target_jurisdictions_and_scopes_are_regions(targets, regions):
    for row in targets:
        assert row["jurisdiction_code"] in regions
        assert regions[row["jurisdiction_code"]]["region_name"] == row["jurisdiction_name"]
        if row["scope_region"]:
            assert row["scope_region"] in regions


HEBI = {
    "410000": ("河南省", "province", ""),
    "410600": ("鹤壁市", "city", "410000"),
    "410602": ("鹤山区", "county", "410600"),
    "410603": ("山城区", "county", "410600"),
    "410611": ("淇滨区", "county", "410600"),
    "410621": ("浚县", "county", "410600"),
    "410622": ("淇县", "county", "410600"),
}


@pytest.mark.parametrize("code", sorted(HEBI))
def test_hebi_regions(regions, code):
    name, level, parent = HEBI[code]
    row = regions[code]
    assert (row["region_name"], row["region_level"], row["parent_code"]) == (name, level, parent)
    assert row["valid_to_year"] == ""  # currently valid
    assert row["is_dev_zone"] == "false"
    assert row["province_code"] == "410000"


@pytest.mark.parametrize(
    ("code", "name"),
    [("410671", "鹤壁经济技术开发区"), ("410690", "鹤壁城乡一体化示范区")],
)
def test_hebi_development_zones(regions, code, name):
    row = regions[code]
    assert row["region_name"] == name
    assert row["is_dev_zone"] == "true"
    assert (row["region_level"], row["parent_code"], row["city_code"]) == ("county", "410600", "410600")


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("652323", "呼图壁县"),
        ("130900", "沧州市"),
        ("450200", "柳州市"),
        ("610100", "西安市"),
        ("140425", "平顺县"),
    ],
)
def test_other_jurisdictions_present(regions, code, name):
    assert regions[code]["region_name"] == name
    assert regions[code]["valid_to_year"] == ""


def test_regions_shape():
    columns, rows = read("regions.csv")
    assert columns == [
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
    codes = [row["region_code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert sum(row["region_level"] == "county" for row in rows) > 3000
    known = set(codes)
    for row in rows:
        assert row["parent_code"] == "" or row["parent_code"] in known
        assert row["city_code"] == "" or row["city_code"] in known


def test_indicators_cover_targets(targets):
    _, indicators = read("indicators.csv")
    codes = [row["indicator_code"] for row in indicators]
    assert len(codes) == len(set(codes))
    assert {row["indicator_code"] for row in targets} <= set(codes)
    assert sum(row["is_headline"] == "true" for row in indicators) == 4
