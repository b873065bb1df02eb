"""Checks on the dbt project's own YAML that need no build: what the issue promises the project holds
(a unit test for every indicator formula, the five worked examples, enforced contracts on every mart).
dbt runs the unit tests and enforces the contracts in every `dbt build` (tests/warehouse/*)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def yaml_files() -> list[Path]:
    return sorted((PROJECT / "models").rglob("*.yml"))


def unit_tests() -> list[dict]:
    tests = []
    for path in yaml_files():
        tests += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", [])
    return tests


def mart_models() -> dict[str, dict]:
    models = {}
    for path in (PROJECT / "models" / "marts").glob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            models[model["name"]] = model
    return models


def test_every_indicator_formula_has_a_unit_test_on_the_model_computing_it():
    with (PROJECT / "seeds" / "indicators.csv").open(encoding="utf-8", newline="") as fh:
        catalogue = {row["indicator_code"] for row in csv.DictReader(fh)}
    assert len(catalogue) == 29  # indicators.md: 4 headline + 25 further
    tested = {row.get("indicator_code")
              for test in unit_tests() if test["model"].endswith("__contributions") or test["model"] == "fct_indicator_value"
              for row in test["expect"]["rows"]}
    assert sorted(catalogue - tested) == []


def test_the_five_worked_examples_are_unit_tests():
    names = [test["name"] for test in unit_tests()]
    for number in range(1, 6):
        assert any(name.startswith(f"worked_example_{number}_") for name in names), number


@pytest.mark.parametrize("topic", ["zero_denominator", "supersede", "cohort_switches_in_september", "carried_forward",
                                   "population", "scope", "band", "rule"])
def test_the_cases_the_issue_names_have_unit_tests(topic):
    """Each case is named in a unit test's name or, for variant kinds, exercised through a variant code."""
    found = [t["name"] for t in unit_tests() if topic in t["name"]]
    if not found:
        prefix = f"{topic}="
        found = [t["name"] for t in unit_tests() for row in t["expect"]["rows"] if prefix in str(row.get("variant_code", ""))]
    assert found, topic


def test_every_mart_has_an_enforced_contract_with_a_type_for_every_column():
    sql_models = {path.stem for path in (PROJECT / "models" / "marts").glob("*.sql")}
    documented = mart_models()
    assert sql_models == set(documented)
    for name, model in documented.items():
        assert model.get("config", {}).get("contract", {}).get("enforced") is True, name
        untyped = [column["name"] for column in model["columns"] if not column.get("data_type")]
        assert not untyped, (name, untyped)


def test_unit_test_names_fit_postgresql_identifiers():
    """dbt names a relation after each unit test; PostgreSQL refuses identifiers over 63 characters."""
    assert [t["name"] for t in unit_tests() if len(t["name"]) > 63] == []
