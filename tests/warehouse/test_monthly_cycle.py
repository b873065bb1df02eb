"""One hand-made month through every layer with the real CLI: ingest (GX gate) → dbt build on a DuckDB
file → indicators → publish → trace → query. Expected values are computed by hand below."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import zipfile

import duckdb
import pytest

from chanjiao.demo import factory as fx
from ingestion.registry import kinds
from tests.conftest import ingest_here, run_cli, set_received

pytestmark = pytest.mark.dbt

PERIOD = "2026-10"
E = {i: fx.uscc("410622", i) for i in range(1, 5)}  # E1–E4 in 淇县 (worked example 5)
E5 = fx.uscc("410603", 5)                           # one enterprise in 山城区
OUTSIDER = fx.uscc("410611", 9)                     # cooperates but is not above scale
teachers = fx.roster  # full-time professional teachers, the first n_dual 双师型 (other tests import it from here)


def workbook(code, name, region, level, teacher_rows, cooperations=()):
    """A school's workbook for PERIOD; cooperations as (uscc, start, end)."""
    return fx.school(code, name, region, level, PERIOD, teacher_rows, cooperations)


PART_TIME = [{"teacher_id": f"P{i}", "teacher_name": f"兼职{i}", "is_professional": True, "is_dual_qualified": True, "employment_type": "兼职",
              "source_enterprise_uscc": E[1], "practice_days_12m": 0, "practice_days_24m": 0} for i in range(5)]
NON_PROF = [{"teacher_id": f"N{i}", "teacher_name": f"文化课{i}", "is_professional": False, "is_dual_qualified": False, "employment_type": "专任"}
            for i in range(3)]


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    inbox = tmp_path_factory.mktemp("inbox")
    school = kinds()["school_workbook"]
    coops_a = [(E[1], dt.date(2025, 9, 1), None), (E[2], dt.date(2025, 3, 1), dt.date(2026, 9, 30)),
               (E[4], dt.date(2026, 11, 15), None), (OUTSIDER, dt.date(2025, 1, 1), None)]
    files = {
        # School A (淇县): first sends 28 of 40 双师型, then a revision with 30 of 40, which supersedes it.
        "a_first": (school, workbook("4141062201", "淇县甲校", "410622", "中职", teachers(40, 28, extra=PART_TIME + NON_PROF), coops_a), "2026-11-02 09:00"),
        "a_revised": (school, workbook("4141062201", "淇县甲校", "410622", "中职", teachers(40, 30, extra=PART_TIME + NON_PROF), coops_a), "2026-11-04 14:00"),
        # School B (淇县, 技工院校): 3 of 10 双师型, and 2 一体化 teachers who are not 双师型.
        "b": (school, workbook("4141062202", "淇县乙技校", "410622", "技工院校", teachers(10, 3, integrated=2, prefix="B")), "2026-11-02 10:00"),
        # School C (山城区): no professional teachers at all → not_computable; cooperates with E5.
        "c": (school, workbook("4141060301", "山城丙校", "410603", "中职", NON_PROF, [(E5, dt.date(2024, 1, 1), None)]), "2026-11-02 11:00"),
        # School D: a 双师型 teacher who is not a professional teacher → rejected, loads nothing.
        "d_bad": (school, workbook("4141060302", "山城丁校", "410603", "中职", teachers(5, 2) + [dict(NON_PROF[0], is_dual_qualified=True)]),
                  "2026-11-02 12:00"),
        "register": (kinds()["above_scale_register"], fx.register_of([*E.values(), E5], PERIOD), "2026-11-01 09:00"),
    }
    paths = {}
    for name, (kind, data, received) in files.items():
        paths[name] = set_received(fx.write(kind, inbox / f"{name}.xlsx", data), received)
    ingest = run_cli(home, "ingest", str(inbox), "--period", PERIOD, "--json")
    build = run_cli(home, "build", "--json")
    assert build.returncode == 0, build.stderr[-3000:]
    return {"home": home, "inbox": inbox, "paths": paths, "ingest": ingest}


def value_of(rows, indicator, region):
    return next(r for r in rows if r["indicator"] == indicator and r["region"] == region)


def test_ingest_accepts_good_files_and_quarantines_the_bad_one(month):
    result = month["ingest"]
    assert result.returncode == 3  # finished, with at least one rejection
    by_file = {o["file"]: o for o in result.data}
    assert {f: o["status"] for f, o in by_file.items()} == {
        "register.xlsx": "accepted", "a_first.xlsx": "accepted", "b.xlsx": "accepted", "c.xlsx": "accepted",
        "d_bad.xlsx": "rejected", "a_revised.xlsx": "accepted"}
    reasons = by_file["d_bad.xlsx"]["reasons"]
    # the 6th teacher sits on spreadsheet row 7 (header on row 1)
    assert [(r["sheet"], r["row"], r["column"], r["rule"]) for r in reasons] == [("教师名册", 7, "是否双师型", "dual_requires_professional")]
    # A cooperates with an enterprise missing from the register: loaded, with a warning on that row.
    assert [(w["sheet"], w["row"], w["column"], w["rule"]) for w in by_file["a_revised.xlsx"]["warnings"]] == \
        [("校企合作", 5, "合作企业统一社会信用代码", "partner_not_in_register")]
    sha = by_file["d_bad.xlsx"]["sha256"]
    folder = month["home"] / "quarantine" / PERIOD / sha
    assert (folder / "d_bad.xlsx").read_bytes() == month["paths"]["d_bad"].read_bytes()
    assert json.loads((folder / "reasons.json").read_text(encoding="utf-8"))["reasons"][0]["rule"] == "dual_requires_professional"
    from python_calamine import CalamineWorkbook

    notice = CalamineWorkbook.from_path(str(folder / "退回说明.xlsx")).get_sheet_by_name("退回说明").to_python()
    assert notice[3][:5] == ["序号", "工作表", "行号", "列", "规则"]
    assert notice[4][1:5] == ["教师名册", 7.0, "是否双师型", "dual_requires_professional"] and "专业课教师" in notice[4][5]
    report = (month["home"] / "reports" / PERIOD / f"{by_file['d_bad.xlsx']['load_id']}.html").read_text(encoding="utf-8")
    assert "dual_requires_professional" in report and "未通过" in report and "教师名册" in report
    with duckdb.connect(str(month["home"] / "warehouse.duckdb"), read_only=True) as con:
        load_id = con.execute("select load_id from raw.loads where sha256 = ?", [sha]).fetchone()[0]
        for table in ("school_info", "teachers", "cooperations"):
            assert con.execute(f"select count(*) from raw.{table} where load_id = ?", [load_id]).fetchone()[0] == 0


def test_revision_supersedes_and_both_stay_in_the_archive(month):
    home = month["home"]
    loads = run_cli(home, "query", "select file_name, superseded_by_load_id, last_period_in_force from marts.fct_load "
                                   "where status = 'accepted' order by received_at", "--json").data
    by_file = {l["file_name"]: l for l in loads}
    revised_id = run_cli(home, "query", "select load_id from marts.fct_load where file_name = 'a_revised.xlsx'", "--json").data[0]["load_id"]
    assert by_file["a_first.xlsx"]["superseded_by_load_id"] == revised_id
    assert by_file["a_first.xlsx"]["last_period_in_force"] is None  # never in force: superseded within the period
    assert by_file["a_revised.xlsx"]["superseded_by_load_id"] is None and by_file["a_revised.xlsx"]["last_period_in_force"] == PERIOD
    for name in ("a_first", "a_revised"):
        digest = __import__("hashlib").sha256(month["paths"][name].read_bytes()).hexdigest()
        assert (home / "archive" / digest[:2] / f"{digest}.xlsx").exists()


def test_same_bytes_again_are_a_duplicate_and_load_nothing(month):
    home = month["home"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        before = con.execute("select count(*) from raw.teachers").fetchone()[0]
    again = run_cli(home, "ingest", str(month["paths"]["b"]), "--period", PERIOD, "--json")
    assert again.returncode == 0 and [o["status"] for o in again.data] == ["duplicate"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.teachers").fetchone()[0] == before


def test_dual_teacher_ratio_by_hand(month):
    rows = run_cli(month["home"], "indicators", "--period", PERIOD, "--indicator", "dual_teacher_ratio", "--json").data
    # 淇县: A's revision (30 of 40 full-time professional; part-time and non-professional teachers excluded)
    # and B (3 of 10): 33 / 50 — not the mean of 75% and 30%.
    qixian = value_of(rows, "dual_teacher_ratio", "410622")
    assert (qixian["numerator"], qixian["denominator"], qixian["value"], qixian["status"]) == (33, 50, 66.0, "ok")
    shancheng = value_of(rows, "dual_teacher_ratio", "410603")
    assert (shancheng["value"], shancheng["status"]) == (None, "not_computable")
    city = value_of(rows, "dual_teacher_ratio", "410600")
    assert (city["numerator"], city["denominator"], city["value"]) == (33, 50, 66.0)
    assert value_of(rows, "dual_teacher_ratio", "410000")["value"] == 66.0
    # 鹤壁's target counts 双师型 or 一体化: (33 + 2) / 50 = 70.00, which meets ">= 70" exactly.
    [target] = city["targets"]
    assert (target["variant"], target["variant_value"], target["comparator"], target["value"], target["status"], target["deadline_state"]) == \
        ("population=dual_or_integrated", 70.0, ">=", 70.0, "met", "past_due")
    assert qixian["targets"] == []  # a city's target is not inherited by its counties


def test_above_scale_participation_by_hand(month):
    rows = run_cli(month["home"], "indicators", "--period", PERIOD, "--indicator", "above_scale_participation_rate", "--json").data
    # 淇县: E1 active, E2 ended 09-30, E3 no cooperation, E4 starts 11-15 → 1 of 4.
    assert value_of(rows, "above_scale_participation_rate", "410622")["value"] == 25.0
    assert value_of(rows, "above_scale_participation_rate", "410603")["value"] == 100.0
    city = value_of(rows, "above_scale_participation_rate", "410600")
    assert (city["numerator"], city["denominator"], city["value"]) == (2, 5, 40.0)
    assert [(t["comparator"], t["value"], t["status"]) for t in city["targets"]] == [(">", 50.0, "not_met")]


def table_line(table: str, indicator_name: str, region: str) -> str:
    [line] = [l for l in table.splitlines() if l.startswith(indicator_name) and f"({region})" in l]
    return line


def test_the_table_sets_counties_beside_the_city_target_under_its_definition(month):
    table = run_cli(month["home"], "indicators", "--period", PERIOD, "--indicator", "dual_teacher_ratio")
    assert table.returncode == 0, table.stderr[-2000:]
    # 淇县's own share is 66.00% (33/50); 鹤壁's target counts 双师型 or 一体化: (33 + 2) / 50 = 70.00%, met.
    qixian = table_line(table.stdout, "双师型教师占专业课教师比例", "410622")
    assert "66.00%" in qixian and "33/50" in qixian
    assert qixian.endswith("(对照市目标>=70，按其口径70.00%: 达到)")
    # 山城区 has no professional teachers: nothing to set beside the target under any definition.
    assert table_line(table.stdout, "双师型教师占专业课教师比例", "410603").rstrip().endswith("无法计算(分母为0)     —")


def test_the_table_shows_counts_without_a_denominator(month, tmp_path):
    """A register's count has no denominator; the table (not only --json) must show it. On a copy of the
    month's home, so the other tests see the month as it was."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(month["home"], home, symlinks=True)
    certified = [{"uscc": E[i], "enterprise_name": f"企业{i}", "region_code": "410622", "level": "市(州)",
                  "certified_on": dt.date(2025, 6, 1), "period": PERIOD} for i in (1, 2, 3)]
    path = set_received(fx.write("certified_enterprises", tmp_path / "certified.xlsx",
                                       {"certified_enterprises": certified}), "2026-11-03 09:00")
    ingested = ingest_here(home, path, period=PERIOD)
    assert [o["status"] for o in ingested] == ["accepted"], ingested
    assert run_cli(home, "build").returncode == 0

    table = run_cli(home, "indicators", "--period", PERIOD)
    assert table.returncode == 0, table.stderr[-2000:]
    [name] = [r["indicator_name"] for r in run_cli(home, "indicators", "--period", PERIOD, "--indicator", "certified_enterprise_count",
                                                       "--region", "410622", "--json").data]
    qixian, city = table_line(table.stdout, name, "410622"), table_line(table.stdout, name, "410600")
    assert "  3  " in qixian and "对照" not in qixian  # a county's count is never set beside a city's count target
    assert ">=20" in city


def test_publish_writes_v1_once(month):
    home = month["home"]
    first = run_cli(home, "publish", "--period", PERIOD, "--json")
    assert first.returncode == 0 and first.data["version"] == "v1", first.stderr[-2000:]
    folder = home / "publications" / PERIOD / "v1"
    raw = (folder / "indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert {(r["indicator"], r["region"], r["value"]) for r in rows} >= {("dual_teacher_ratio", "410622", "66.0"),
                                                                         ("above_scale_participation_rate", "410600", "40.0")}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["indicators.csv"] == __import__("hashlib").sha256(raw).hexdigest()
    names = {l["file"] for l in manifest["loads"]}
    assert names == {"a_revised.xlsx", "b.xlsx", "c.xlsx", "register.xlsx"}  # the superseded and rejected files are not inputs
    second = run_cli(home, "publish", "--period", PERIOD, "--json")
    assert second.data["status"] == "unchanged"
    assert sorted(p.name for p in (home / "publications" / PERIOD).iterdir()) == ["v1"]


def test_trace_lists_the_rows_behind_a_value(month):
    result = run_cli(month["home"], "trace", "--indicator", "dual_teacher_ratio", "--region", "410622", "--period", PERIOD, "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    t = result.data
    assert t["value"] == 66.0 and t["definition"]["name"] == "双师型教师占专业课教师比例"
    assert t["models"][0] == "fct_indicator_value" and "source:schools.teachers" in t["models"]
    denominator = [r for r in t["rows"] if r["role"] == "denominator"]
    numerator = [r for r in t["rows"] if r["role"] == "numerator"]
    assert len(denominator) == 50 and len(numerator) == 33
    assert {r["file"] for r in t["rows"]} == {"a_revised.xlsx", "b.xlsx"}
    # A's teachers 0–29 are 双师型 and sit on rows 2–31 of 教师名册.
    assert sorted(r["row"] for r in numerator if r["file"] == "a_revised.xlsx") == list(range(2, 32))
    assert {l["file"] for l in t["loads"]} == {"a_revised.xlsx", "b.xlsx"}
    assert all(c["success"] for l in t["loads"] for c in l["validation"] if c["severity"] == "error")
    human = run_cli(month["home"], "trace", "--indicator", "dual_teacher_ratio", "--region", "410622", "--period", PERIOD)
    # the text groups the rows under their file, with the file's subtotal and the rows as ranges
    assert "] a_revised.xlsx" in human.stdout and "小计：分子 30，分母 40" in human.stdout
    assert "工作表 教师名册  分子行（30）：第 2–31 行" in human.stdout and "合计：分子 33，与指标值一致；分母 50，与指标值一致" in human.stdout


def test_query_is_read_only_and_cannot_reach_files(month):
    home = month["home"]
    ok = run_cli(home, "query", "select count(*) as n from marts.fct_target_progress", "--json")
    assert ok.returncode == 0 and ok.data[0]["n"] == 40  # every target of the seed, for the one period
    write = run_cli(home, "query", "create table marts.x as select 1")
    assert write.returncode == 1 and "read-only" in write.stderr.lower()
    archived = next((home / "archive").rglob("*.xlsx"))
    external = run_cli(home, "query", f"select * from read_csv('{archived}')")
    assert external.returncode == 1 and "disabled by configuration" in external.stderr


def test_no_personal_data_in_any_table_or_report(month):
    raw_values = ["联系人甲", "13800001111", "教师T0", "兼职0", "文化课0", "T000", fx.id_number("410622", 0)]
    for db in ("warehouse.duckdb", "marts.duckdb"):
        with duckdb.connect(str(month["home"] / db), read_only=True) as con:
            tables = con.execute("select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'").fetchall()
            assert tables
            for schema, table in tables:
                text = con.execute(f'select string_agg(cast(columns(*) as varchar), \'|\') from "{schema}"."{table}"').fetchone()
                blob = "|".join(str(v) for v in text)
                for value in raw_values:
                    assert value not in blob, f"{value} found in {db}:{schema}.{table}"
    # every other file of the home after a whole cycle (reports, lineage events, dbt's artifacts and logs,
    # the access log, the release), its members too where it is a zip (xlsx): only the originals, in the
    # archive and the quarantine, hold raw personal data
    assert run_cli(month["home"], "publish", "--period", PERIOD).returncode == 0
    needles = [v.encode("utf-8") for v in raw_values]
    scanned = 0
    for path in sorted(month["home"].rglob("*")):
        relative = path.relative_to(month["home"]).parts
        if not path.is_file() or relative[0] in ("archive", "quarantine") or path.suffix in (".duckdb", ".wal"):
            continue
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                blobs = [z.read(n) for n in z.namelist()]
        found = [v for v, needle in zip(raw_values, needles) if any(needle in b for b in blobs)]
        assert found == [], f"{found} in {path}"
        scanned += 1
    assert scanned > 20  # reports, lineage, dbt target, access log, the release's files


def test_ingest_refuses_to_run_without_a_key(month, tmp_path):
    result = run_cli(tmp_path / "other", "ingest", str(month["paths"]["b"]), key=None)
    assert result.returncode == 1 and "CHANJIAO_PII_KEY" in result.stderr


def _postgres_or_skip():
    """PostgreSQL over a real connection; with CI=true its absence fails the run instead of skipping."""
    import os

    import psycopg2

    from chanjiao import settings as config

    params = config.load().postgres.params()
    try:
        psycopg2.connect(**{**params, "dbname": "postgres"}, connect_timeout=3).close()
    except psycopg2.OperationalError as err:
        message = f"PostgreSQL is not reachable at {params['host']}:{params['port']} ({err})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — CI must run the PostgreSQL target")
        pytest.skip(message)
    return psycopg2


@pytest.mark.postgres
def test_postgres_target_gives_the_same_indicators(month):
    psycopg2 = _postgres_or_skip()
    from chanjiao import settings as config

    home = month["home"]
    built = run_cli(home, "build", "--target", "postgres", "--json")
    assert built.returncode == 0, built.stderr[-3000:]
    sql_values = ("select indicator_code, variant_code, region_code, period, numerator, denominator, value, status "
                  "from marts.fct_indicator_value order by 1, 2, 3, 4")
    sql_targets = "select target_id, period, variant_value, status, deadline_state, status_at_deadline from marts.fct_target_progress order by 1, 2"
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        duck_values, duck_targets = con.execute(sql_values).fetchall(), con.execute(sql_targets).fetchall()
    with psycopg2.connect(**config.load().postgres.params()) as pg, pg.cursor() as cur:
        cur.execute(sql_values)
        pg_values = cur.fetchall()
        cur.execute(sql_targets)
        pg_targets = cur.fetchall()
    assert len(duck_values) == len(pg_values) > 0 and len(duck_targets) == len(pg_targets) == 40
    for d, p in zip(duck_values, pg_values):
        assert d[:4] == p[:4] and d[7] == p[7]
        assert all((a is None and b is None) or abs(float(a) - float(b)) < 1e-9 for a, b in zip(d[4:7], p[4:7])), (d, p)
    for d, p in zip(duck_targets, pg_targets):
        assert d[0:2] == p[0:2] and d[3:] == p[3:]
        assert (d[2] is None and p[2] is None) or abs(d[2] - p[2]) < 1e-9


def test_an_open_reader_never_blocks_a_build(month):
    home = month["home"]
    reader = duckdb.connect(str(home / "marts.duckdb"), read_only=True)
    try:
        before = reader.execute("select count(*) from marts.fct_indicator_value").fetchone()[0]
        built = run_cli(home, "build", "--json")
        assert built.returncode == 0, built.stderr[-2000:]
        # the statistician's session still reads the copy it opened; a new session sees the new one
        assert reader.execute("select count(*) from marts.fct_indicator_value").fetchone()[0] == before
    finally:
        reader.close()
    assert run_cli(home, "query", "select count(*) as n from marts.fct_indicator_value", "--json").data[0]["n"] == before


def test_dbt_unit_tests_pass(month):
    """Production builds leave dbt's unit tests out (they check formulas, not data): CI runs them here."""

    from chanjiao.build import dbt
    from chanjiao.settings import Settings

    settings = Settings(home=month["home"], pii_key=None)
    log = month["home"] / "dbt-unit-tests.log"
    with log.open("w") as out:
        result = dbt(settings, "test", "--select", "test_type:unit", "--target", "duckdb", stdout=out)
    text = log.read_text(encoding="utf-8")
    assert result.returncode == 0, text[-3000:]
    passed = re.search(r"PASS=(\d+)", text)
    assert passed and int(passed[1]) >= 20, text[-2000:]


def test_dbt_docs_generate_describes_every_model(month):
    import subprocess

    from chanjiao.build import dbt
    from chanjiao.settings import Settings

    settings = Settings(home=month["home"], pii_key=None)
    result = dbt(settings, "docs", "generate", stdout=subprocess.PIPE)
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((settings.dbt_target_dir / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((settings.dbt_target_dir / "catalog.json").read_text(encoding="utf-8"))
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert models and all(n["description"].strip() for n in models), [n["name"] for n in models if not n["description"].strip()]
    assert "model.chanjiao.fct_indicator_value" in catalog["nodes"]
    # every column the warehouse really has is described, and no description names a column it lacks
    undocumented, stale = {}, {}
    for node in models:
        built = set(catalog["nodes"][node["unique_id"]]["columns"])
        described = {name for name, column in node["columns"].items() if column.get("description", "").strip()}
        if built - described:
            undocumented[node["name"]] = sorted(built - described)
        if set(node["columns"]) - built:
            stale[node["name"]] = sorted(set(node["columns"]) - built)
    assert not undocumented and not stale, (undocumented, stale)
