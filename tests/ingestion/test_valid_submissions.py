"""Valid submissions are never bounced; one broken rule is reported where it is, and nothing else.

The files come from tests/valid_submissions.py, a generator written from templates.md and the code
standards, independent of the project's samples and registry. Each Hypothesis example is a small batch
of one collection period (as a real collection is), read with `read_file` and judged by the gate in one
GX run. Seeds are derandomised: a failure prints the seed, and
`[generate(random.Random(seed) ...)]` as below rebuilds the same files.
"""
from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from expectations.gate import validate
from ingestion.read import read_file
from tests.conftest import PII_KEY, run_cli
from tests.valid_submissions import (
    DEV_ZONES,
    KINDS,
    MUTATIONS,
    PROVINCES,
    applicable,
    context,
    county_codes,
    differences,
    generate,
    id_under,
    in_force,
    locations,
    mutate,
    random_period,
    refill,
    region_codes,
    rows_for,
)

KEY = PII_KEY.encode()
BATCH = 6
# A seed does not shrink into a simpler file: no shrinking, no example database (derandomised anyway).
PROPERTY = settings(max_examples=20, derandomize=True, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
seeds = st.integers(0, 2**32 - 1)


def read_and_gate(subs, period: str):
    """Each submission written, read and gated as one batch: [(submission, parsed, problems)]."""
    with tempfile.TemporaryDirectory() as folder:
        parsed = [read_file(s.write(Path(folder)), KEY, period) for s in subs]
    verdicts = validate(parsed, {p.sha256: period for p in parsed})
    return [(s, p, p.problems + verdicts[p.sha256]["problems"] + verdicts[p.sha256]["warnings"]) for s, p in zip(subs, parsed)]


def describe(s) -> str:
    return f"{s.filename} ({s.kind}, {s.fmt}{', ' + s.encoding if s.encoding else ''}, period {s.period}; {', '.join(s.mess) or 'clean'})"


def assert_accepted_exactly(results) -> None:
    failures = []
    for s, parsed, problems in results:
        if problems:
            failures.append(describe(s) + "".join(f"\n    {p.sheet!r} row {p.row} {p.column!r} [{p.rule}] {p.message}" for p in problems[:8]))
        elif diff := differences(s, parsed, KEY):
            failures.append(describe(s) + " read back differently:" + "".join(f"\n    {d}" for d in diff[:8]))
    assert not failures, f"{len(failures)} of {len(results)} valid files not accepted as written:\n" + "\n".join(failures)


@PROPERTY
@given(seed=seeds)
def test_valid_submissions_are_accepted_and_read_back_exactly(seed):
    rng = random.Random(seed)
    period = random_period(rng)
    assert_accepted_exactly(read_and_gate([generate(rng, period=period, n=n) for n in range(BATCH)], period))


@PROPERTY
@given(seed=seeds)
def test_one_broken_rule_is_reported_at_its_sheet_row_and_column_only(seed):
    rng = random.Random(seed)
    period = random_period(rng)
    broken = [mutate(generate(rng, period=period, n=n), rng) for n in range(BATCH)]
    results = read_and_gate([b for b, _, _ in broken], period)
    wrong = [f"{describe(s)}: {which} must be reported at {sorted(where)}, got {sorted(locations(problems))}"
             + "".join(f"\n    {p.sheet!r} row {p.row} {p.column!r} [{p.rule}] {p.message}" for p in problems[:6])
             for (s, _, problems), (_, which, where) in zip(results, broken) if locations(problems) != where]
    assert not wrong, "\n".join(wrong)


def test_every_kind_format_and_encoding():
    rng = random.Random(20261130)
    period = "2026-10"
    subs = [generate(rng, kind=k, fmt=f, period=period, n=n) for n, (k, f) in enumerate(
        [(k, f) for k in KINDS for f in (("xlsx", "xls") if k == "school_workbook" else ("xlsx", "xls", "csv"))])]
    for enc in ("utf-8", "utf-8-bom", "gbk", "gb18030"):
        s = generate(rng, kind="enterprise_return", fmt="csv", period=period, n=len(subs))
        s.encoding = enc
        subs.append(s)
    assert_accepted_exactly(read_and_gate(subs, period))


@pytest.mark.parametrize("period", ["2016-03", "2026-10"])
def test_every_county_and_development_zone_is_a_region_code(period):
    """A register listing every county of 河南 and 新疆 in force at the period's end, and 鹤壁's zones."""
    rng = random.Random(period)
    year = int(period[:4])
    subs = []
    for n, province in enumerate(PROVINCES):
        s = generate(rng, kind="above_scale_register", fmt=("csv", "xlsx")[n], period=period, n=n)
        rows = rows_for(rng, "above_scale_enterprises", period, context(rng, period), n=len(region_codes(year)))
        for row, code in zip(rows, [c for c in region_codes(year) if c[:2] == province] + list(DEV_ZONES)):
            row["region_code"] = code
        refill(s, rng, "above_scale_enterprises", rows[:len([c for c in region_codes(year) if c[:2] == province]) + 2])
        subs.append(s)
    assert_accepted_exactly(read_and_gate(subs, period))


def test_every_address_code_ever_in_force_is_accepted_in_an_id_number():
    """One teacher per GB/T 2260 county code in loc.dat, born before or in the code's first year: the
    number was issued where the holder lived later (a 1987 birth under a code of 1994)."""
    rng = random.Random(2260)
    period = "2026-10"
    def has_id_column(s) -> bool:  # the generator may leave the optional column out
        return any(c.field.name == "id_number" for t in s.tables if t.key == "teachers" for c in t.columns)

    while not has_id_column(s := generate(rng, kind="school_workbook", fmt="xlsx", period=period)):
        pass
    codes = [c for c in county_codes() if in_force(c, 1955, 2026)]
    rows = rows_for(rng, "teachers", period, context(rng, period), n=len(codes))
    for row, code in zip(rows, codes):
        row["id_number"] = id_under(rng, code, 2026)
    refill(s, rng, "teachers", rows)
    assert_accepted_exactly(read_and_gate([s], period))


def test_each_kind_of_broken_rule_is_reported_where_it_is():
    """Every mutation at least once (the property test draws them at random)."""
    rng = random.Random(11)
    period = "2025-06"
    broken = []
    for which in MUTATIONS:
        while which not in applicable(s := generate(rng, kind="school_workbook", period=period, n=len(broken))):
            pass
        broken.append(mutate(s, rng, which))
    results = read_and_gate([b for b, _, _ in broken], period)
    wrong = [f"{which}: expected {sorted(where)}, got {sorted(locations(problems))}"
             for (_, _, problems), (_, which, where) in zip(results, broken) if locations(problems) != where]
    assert not wrong, "\n".join(wrong)


def test_valid_batch_through_the_cli_is_accepted(home, tmp_path):
    rng = random.Random(7)
    period = "2026-10"
    folder = tmp_path / "landing"
    folder.mkdir()
    kinds = ["school_workbook", "school_workbook", "enterprise_return", "enterprise_return", "above_scale_register",
             "certified_enterprises", "carriers", "education_finance"]
    for n, kind in enumerate(kinds):
        generate(rng, kind=kind, period=period, n=n).write(folder)
    result = run_cli(home, "ingest", str(folder), "--period", period, "--json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert [f["status"] for f in result.data] == ["accepted"] * len(kinds), result.data
    assert all(f["reasons"] == [] and f["period"] == period for f in result.data)


def test_region_table_in_the_generator_is_the_standards():
    """The generator's own tables: 淇滨区 replaced 郊区 in 2001; 米东区 exists from 2007; the zones are
    region codes but never ID address codes."""
    assert in_force("410611", 1990, 1990) and in_force("410611", 2026, 2026)
    assert not in_force("650109", 2000, 2006) and in_force("650109", 2007, 2007)
    assert set(DEV_ZONES) <= set(region_codes(2026)) and not set(DEV_ZONES) & set(county_codes())
