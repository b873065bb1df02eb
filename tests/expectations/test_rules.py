"""Every rule of the gate: a file that breaks it is rejected (or warned) at the right sheet, row and
column, and the file that does not break it passes. All files go through ONE batch validation, as in
production, so the mapping of failures back to their files is tested too."""
from __future__ import annotations

import copy
import datetime as dt

import pytest

from chanjiao.demo import factory as fx
from chanjiao.demo.factory import specimens
from expectations.gate import validate
from ingestion.read import read_file
from ingestion.registry import kinds
from tests.conftest import PII_KEY, make_id_number, make_uscc

PERIOD = "2026-10"


def school() -> dict:
    return {
        "school_info": [{"school_code": "4141062201", "school_name": "淇县甲校", "region_code": "410622", "school_level": "中职", "period": PERIOD,
                         "enrolled_students": 900, "staff_quota": 50, "total_teaching_hours": 2000, "practical_teaching_hours": 900}],
        "teachers": [
            {"teacher_id": f"T{i}", "teacher_name": f"教师{i}", "id_number": make_id_number("410622", i), "is_professional": True,
             "is_dual_qualified": i % 2 == 0, "employment_type": "专任", "practice_days_12m": 20, "practice_days_24m": 40}
            for i in range(4)
        ],
        "cooperations": [{"enterprise_uscc": make_uscc("410622", 1), "enterprise_name": "甲公司", "cooperation_type": "订单培养",
                          "start_date": dt.date(2025, 9, 1), "end_date": None}],
        "apprentices": specimens.school()["apprentices"],
        "graduate_destinations": specimens.school()["graduate_destinations"],
    }


def header(table: str, field: str) -> str:
    return next(f.header for k in kinds().values() for s in k.sheets if s.table == table for f in s.fields if f.name == field)


def register() -> dict:
    return {"above_scale_enterprises": [
        {"uscc": make_uscc("410622", i), "enterprise_name": f"企业{i}", "region_code": "410622", "industry_code": "C36", "period": PERIOD}
        for i in range(1, 4)]}


def _set(sheet, index, **values):
    def mutate(data):
        data[sheet][index].update(values)
    return mutate


def _bad_check_char(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


# (case id, kind, mutation, expected reasons as (sheet, row, column, rule)); rows: header on row 1.
CASES = [
    ("school_valid", "school_workbook", None, []),
    ("register_valid", "above_scale_register", None, []),
    ("required_missing", "school_workbook", _set("school_info", 0, school_name=None), [("学校信息", 2, "学校名称", "required")]),
    ("region_not_existing", "school_workbook", _set("school_info", 0, region_code="419999"), [("学校信息", 2, "所在地区划代码", "region_code_check")]),
    ("period_not_collected", "school_workbook", _set("school_info", 0, period="2026-09"), [("学校信息", 2, "报告期", "period")]),
    ("practical_over_total", "school_workbook", _set("school_info", 0, practical_teaching_hours=2100),
     [("学校信息", 2, "实践性教学课时", "practical_le_total")]),
    ("negative_students", "school_workbook", _set("school_info", 0, enrolled_students=-5), [("学校信息", 2, "在校生数", "range")]),
    ("duplicate_teacher_id", "school_workbook", _set("teachers", 3, teacher_id="T1"),
     [("教师名册", 3, "教师工号", "unique"), ("教师名册", 5, "教师工号", "unique")]),
    ("dual_not_professional", "school_workbook", _set("teachers", 2, is_professional=False), [("教师名册", 4, "是否双师型", "dual_requires_professional")]),
    ("part_time_without_uscc", "school_workbook", _set("teachers", 1, employment_type="兼职"),
     [("教师名册", 3, "来源企业统一社会信用代码", "part_time_requires_uscc")]),
    ("part_time_bad_uscc", "school_workbook", _set("teachers", 1, employment_type="兼职", source_enterprise_uscc=_bad_check_char(make_uscc("410622", 5))),
     [("教师名册", 3, "来源企业统一社会信用代码", "source_enterprise_uscc_check")]),
    ("bad_id_number", "school_workbook", _set("teachers", 0, id_number=_bad_check_char(make_id_number("410622", 0))),
     [("教师名册", 2, "身份证号", "id_number_check")]),
    ("practice_days_out_of_range", "school_workbook", _set("teachers", 0, practice_days_12m=400, practice_days_24m=500),
     [("教师名册", 2, "近12个月企业实践天数", "range")]),
    ("practice_24m_below_12m", "school_workbook", _set("teachers", 0, practice_days_12m=30, practice_days_24m=10),
     [("教师名册", 2, "近24个月企业实践天数", "practice_24m_ge_12m")]),
    ("cooperation_bad_uscc", "school_workbook", _set("cooperations", 0, enterprise_uscc=_bad_check_char(make_uscc("410622", 1))),
     [("校企合作", 2, "合作企业统一社会信用代码", "enterprise_uscc_check")]),
    ("cooperation_ends_before_start", "school_workbook", _set("cooperations", 0, end_date=dt.date(2025, 1, 1)),
     [("校企合作", 2, "结束日期", "end_after_start")]),
    ("cooperation_without_start", "school_workbook", _set("cooperations", 0, start_date=None), [("校企合作", 2, "开始日期", "required")]),
    ("register_bad_uscc", "above_scale_register", _set("above_scale_enterprises", 1, uscc=_bad_check_char(make_uscc("410622", 2))),
     [("规模以上企业名录", 3, "统一社会信用代码", "uscc_check")]),
    ("register_bad_region", "above_scale_register", _set("above_scale_enterprises", 0, region_code="410699"),
     [("规模以上企业名录", 2, "所在地区划代码", "region_code_check")]),
    ("register_duplicate", "above_scale_register", _set("above_scale_enterprises", 2, uscc=make_uscc("410622", 1)),
     [("规模以上企业名录", 2, "统一社会信用代码", "unique"), ("规模以上企业名录", 4, "统一社会信用代码", "unique")]),
    ("register_bad_industry", "above_scale_register", _set("above_scale_enterprises", 0, industry_code="36"),
     [("规模以上企业名录", 2, "行业代码", "industry_code_format")]),
    ("apprentice_duplicate_student", "school_workbook", _set("apprentices", 1, student_id="S2024001"),
     [("学徒制学生", 2, "学号", "unique"), ("学徒制学生", 3, "学号", "unique")]),
    ("apprentice_agreement_after_period_end", "school_workbook", _set("apprentices", 0, agreement_date=dt.date(2026, 11, 2)),
     [("学徒制学生", 2, "三方协议签订日期", "after_period_end")]),
    ("graduate_employed_without_uscc", "school_workbook", _set("graduate_destinations", 0, employer_uscc=None),
     [("毕业生去向", 2, header("graduate_destinations", "employer_uscc"), "employed_requires_uscc")]),
    ("graduate_employed_without_region", "school_workbook", _set("graduate_destinations", 0, employer_region_code=None),
     [("毕业生去向", 2, header("graduate_destinations", "employer_region_code"), "employed_requires_region")]),
    # The conditional rules fire only on the rows their condition selects: each condition's other side passes.
    ("not_dual_not_professional", "school_workbook", _set("teachers", 1, is_professional=False), []),
    ("part_time_with_uscc", "school_workbook", _set("teachers", 1, employment_type="兼职", source_enterprise_uscc=make_uscc("410622", 5)), []),
    ("graduate_employed_by_institution_without_uscc", "school_workbook",
     _set("graduate_destinations", 0, employer_type="机关事业单位", employer_uscc=None), []),
    ("graduate_self_employed_in_enterprise_without_uscc", "school_workbook",
     _set("graduate_destinations", 0, destination_type="自主创业", employer_uscc=None), []),
    ("graduate_self_employed_without_region", "school_workbook",
     _set("graduate_destinations", 0, destination_type="自主创业", employer_region_code=None),
     [("毕业生去向", 2, header("graduate_destinations", "employer_region_code"), "employed_requires_region")]),
    ("graduate_survey_after_period_end", "school_workbook", _set("graduate_destinations", 1, survey_date=dt.date(2026, 11, 30)),
     [("毕业生去向", 3, "调查日期", "after_period_end")]),
    ("negative_staff_quota", "school_workbook", _set("school_info", 0, staff_quota=-1), [("学校信息", 2, "编制员额", "range")]),
    ("negative_total_hours", "school_workbook", _set("school_info", 0, total_teaching_hours=-10, practical_teaching_hours=-20),
     [("学校信息", 2, "总课时", "range"), ("学校信息", 2, "实践性教学课时", "range")]),
    ("graduation_year_in_the_future", "school_workbook", _set("graduate_destinations", 1, graduation_year=2027),
     [("毕业生去向", 3, "毕业年份", "range")]),
    ("graduate_surveyed_twice_the_same_day", "school_workbook", _set("graduate_destinations", 1, student_id="S2022001"),
     [("毕业生去向", 2, "学号", "unique"), ("毕业生去向", 3, "学号", "unique")]),
    ("enterprise_valid", "enterprise_return", None, []),
    ("enterprise_listed_twice", "enterprise_return", lambda d: d["enterprise_returns"].append(dict(d["enterprise_returns"][0])),
     [("企业参与职业教育情况表", 2, header("enterprise_returns", "uscc"), "unique"),
      ("企业参与职业教育情况表", 3, header("enterprise_returns", "uscc"), "unique")]),
    ("certified_listed_twice", "certified_enterprises", _set("certified_enterprises", 1, uscc=specimens.E1),
     [("产教融合型企业名单", 2, header("certified_enterprises", "uscc"), "unique"),
      ("产教融合型企业名单", 3, header("certified_enterprises", "uscc"), "unique")]),
    ("finance_same_region_year_and_coverage_twice", "education_finance", _set("education_finance", 1, coverage="本级"),
     [("教育经费情况表", 2, header("education_finance", "region_code"), "unique"),
      ("教育经费情况表", 3, header("education_finance", "region_code"), "unique")]),
    ("frame_lists_a_submitter_twice", "reporting_frame", _set("reporting_frame", 1, submitter_code=specimens.SCHOOL, kind="school_workbook"),
     [("填报单位名录", 2, header("reporting_frame", "submitter_code"), "unique"), ("填报单位名录", 3, header("reporting_frame", "submitter_code"), "unique")]),
    ("enterprise_frontline_above_extracted", "enterprise_return", _set("enterprise_returns", 0, training_fund_frontline=500),
     [("企业参与职业教育情况表", 2, header("enterprise_returns", "training_fund_frontline"), "training_fund_frontline_not_above")]),
    ("enterprise_negative_employees", "enterprise_return", _set("enterprise_returns", 0, employees=-3),
     [("企业参与职业教育情况表", 2, header("enterprise_returns", "employees"), "range")]),
    ("certified_valid", "certified_enterprises", None, []),
    ("certified_expires_before_certified", "certified_enterprises", _set("certified_enterprises", 0, valid_until=dt.date(2024, 1, 1)),
     [("产教融合型企业名单", 2, header("certified_enterprises", "valid_until"), "valid_until_not_above")]),
    ("carriers_valid", "carriers", None, []),
    ("carriers_duplicate_id", "carriers", _set("carriers", 1, carrier_id="ZT-001"),
     [("产教融合载体名录", 2, header("carriers", "carrier_id"), "unique"), ("产教融合载体名录", 3, header("carriers", "carrier_id"), "unique")]),
    ("finance_valid", "education_finance", None, []),
    ("finance_spent_above_collected", "education_finance", _set("education_finance", 0, local_surcharge_to_ve=20000),
     [("教育经费情况表", 2, header("education_finance", "local_surcharge_to_ve"), "local_surcharge_to_ve_not_above")]),
    ("frame_valid", "reporting_frame", None, []),
    ("frame_ends_before_it_starts", "reporting_frame", _set("reporting_frame", 1, to_period="2025-12"),
     [("填报单位名录", 3, header("reporting_frame", "to_period"), "to_period_not_above")]),
    ("register_wrong_period", "above_scale_register", lambda d: [r.update(period="2026-09") for r in d["above_scale_enterprises"]],
     [("规模以上企业名录", n, "报告期", "period") for n in (2, 3, 4)]),
]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules")
    parsed = {}
    for case_id, kind, mutate, _ in CASES:
        base = {"school_workbook": school, "above_scale_register": register}.get(kind) or specimens.ALL[kind]
        data = copy.deepcopy(base())
        if mutate:
            mutate(data)
        path = fx.write(kind, folder / f"{case_id}.xlsx", data)
        parsed[case_id] = read_file(path, PII_KEY.encode(), collection_period=PERIOD)
    files = list(parsed.values())
    results = validate(files, {f.sha256: PERIOD for f in files})
    return {case_id: (parsed[case_id], results[parsed[case_id].sha256]) for case_id in parsed}


@pytest.mark.parametrize("case_id, kind, mutate, expected", CASES, ids=[c[0] for c in CASES])
def test_rule(verdicts, case_id, kind, mutate, expected):
    parsed, verdict = verdicts[case_id]
    reasons = sorted((p.sheet, p.row, p.column, p.rule) for p in parsed.problems + verdict["problems"])
    assert reasons == sorted(expected)
    for p in parsed.problems + verdict["problems"]:
        assert p.message and not p.message.isascii()  # a Chinese message the submitter can act on
    assert all(r["success"] for r in verdict["results"]) is (not expected)
