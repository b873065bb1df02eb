"""The submissions factory (chanjiao.demo.factory): its codes follow the standards, what it writes as
valid reads back exactly in every format and mess, what it breaks is rejected, and it is deterministic."""
from __future__ import annotations

import hashlib
import random

import pytest
from stdnum.cn import ric, uscc

from chanjiao.demo import factory as fx
from chanjiao.demo.factory import specimens
from expectations.gate import validate
from ingestion.read import read_file
from ingestion.registry import kinds
from tests.conftest import make_id_number, make_uscc
from tests.ingestion.samples import KEY, expected

SHEETS = {s.key: s for k in kinds().values() for s in k.sheets}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def gate_problems(paths, period: str = specimens.PERIOD) -> dict:
    parsed = [read_file(p, KEY, collection_period=period) for p in paths]
    verdicts = validate(parsed, {f.sha256: period for f in parsed})
    return {f.path.name: [(p.sheet, p.column, p.rule) for p in f.problems + verdicts[f.sha256]["problems"]] for f in parsed}


def test_codes_follow_their_standards():
    rng = random.Random(1)
    for region in ("410622", "110101", "650102"):
        for serial in range(0, 2000, 37):
            assert fx.uscc(region, serial) == make_uscc(region, serial) and uscc.is_valid(fx.uscc(region, serial))
            assert ric.is_valid(fx.id_number(region, serial))
            assert serial >= 1000 or fx.id_number(region, serial) == make_id_number(region, serial)
            assert not uscc.is_valid(fx.spoil(fx.uscc(region, serial)))
        assert all(uscc.is_valid(fx.random_uscc(rng, region)) for _ in range(200))
    henan = [c.code for c in fx.counties("410000", "2026-10")]
    assert "410622" in henan and "410601" not in henan and "410671" not in henan  # no 市辖区, no development zone
    assert "410671" in [c.code for c in fx.counties("410600", "2026-10", dev_zones=True)]
    assert [c.code for c in fx.counties("410600", "2026-10")] == ["410602", "410603", "410611", "410621", "410622"]


@pytest.mark.parametrize("seed", range(12))
def test_messy_valid_submissions_read_back_exactly_in_every_format(tmp_path, seed):
    """Every kind, in each format it may come in, under a random mix of the habits of templates.md."""
    rng = random.Random(seed)
    mess = fx.Mess.random(rng)
    for name, make in specimens.ALL.items():
        data = make()
        for fmt in kinds()[name].formats:
            path = fx.write(name, tmp_path / f"{name}.{fmt}", data, mess=mess)
            parsed = read_file(path, KEY, collection_period=specimens.PERIOD)
            assert parsed.problems == [], (name, fmt, mess)
            for key, rows in data.items():
                got = parsed.sheets[key].rows
                assert len(got) == len(rows), (name, fmt, key, mess)
                for want, row in zip(rows, got):
                    for f in SHEETS[key].fields:
                        for column, value in expected(f, want.get(f.name)).items():
                            assert row.get(column) == value, (name, fmt, key, column, mess)


def test_every_mistake_is_caught(tmp_path):
    base = {"school_workbook": fx.school("4141062201", "淇县甲校", "410622", "中职", specimens.PERIOD, fx.roster(6, 3),
                                         [fx.uscc("410622", 1)]),
            **{name: make() for name, make in specimens.ALL.items() if name != "school_workbook"}}
    paths, made = [], {}
    for mistake in fx.BREAKAGES:
        for name, data in base.items():
            if fx.applies(mistake, name):
                path = fx.write(name, tmp_path / f"{mistake}-{name}.xlsx", fx.broken(data, mistake, random.Random(3)))
                paths.append(path)
                made[path.name] = (mistake, name)
    problems = gate_problems(paths)
    assert [made[f] for f, found in problems.items() if not found] == []
    assert len(paths) > 20


def test_writers_are_deterministic(tmp_path):
    data = fx.workbook(random.Random(5), fx.hebi.SCHOOLS[0], fx.hebi.register(random.Random(6), "2026-10"), "2026-10")
    for kwargs in ({}, {"fast": True}, {"mess": fx.Mess.random(random.Random(7))}):
        a = fx.write("school_workbook", tmp_path / "a.xlsx", data, **kwargs)
        b = fx.write("school_workbook", tmp_path / "b.xlsx", data, **kwargs)
        assert digest(a) == digest(b), kwargs


def test_a_province_month_is_one_call_and_passes_the_gate(tmp_path):
    month = fx.province_month(tmp_path / "one", "2026-10", "410000", schools=6, enterprises=400, rows_per_school=120)
    kinds_written = sorted(f.kind for f in month.files)
    assert kinds_written == ["above_scale_register", "carriers", "certified_enterprises", "enterprise_return"] + ["school_workbook"] * 6
    assert month.of("enterprise_return")[0].path.suffix == ".csv"
    assert len(month.of("carriers")[0].rows) and month.of("carriers")[0].rows["carriers"] == 3 * len(fx.counties("410000", "2026-10"))
    problems = gate_problems([f.path for f in month.files])
    assert {name: found for name, found in problems.items() if found} == {}
    for f in month.files:  # the manifest counts what the reader reads
        parsed = read_file(f.path, KEY, collection_period="2026-10")
        assert {k: len(s.rows) for k, s in parsed.sheets.items()} == f.rows and parsed.submitter == f.submitter

    double = fx.province_month(tmp_path / "two", "2026-10", "410000", scale=2, schools=6, enterprises=400, rows_per_school=120, workers=2)
    assert len(double.of("school_workbook")) == 12 and double.of("enterprise_return")[0].rows["enterprise_returns"] == 800
    # the same month whatever the number of workers
    assert [digest(f.path) for f in double.files[4:10]] == [
        digest(f.path) for f in fx.province_month(tmp_path / "three", "2026-10", "410000", scale=2, schools=6, enterprises=400,
                                                  rows_per_school=120).files[4:10]]


def test_a_province_month_with_mess_and_mistakes(tmp_path):
    month = fx.province_month(tmp_path, "2026-10", "410000", schools=16, enterprises=200, rows_per_school=80, mess=0.5, broken=0.4,
                              seed=11)
    schools = month.of("school_workbook")
    assert any(f.broken for f in schools) and any(not f.broken for f in schools)
    problems = gate_problems([f.path for f in schools])
    assert {f.path.name: f.broken for f in schools if bool(problems[f.path.name]) != bool(f.broken)} == {}
