"""Specimens: a small filled submission of every kind that uses every field at least once (the template
round-trip and the reader's corpus start from these). Fixed values: tests state what they read back.
"""
from __future__ import annotations

import datetime as dt

from chanjiao.demo.factory.codes import id_number, uscc

PERIOD = "2026-10"
SCHOOL = "0141062201"
E1, E2, E3 = uscc("410622", 1), uscc("410611", 2), uscc("410621", 3)


def school() -> dict[str, list[dict]]:
    return {
        "school_info": [{"school_code": SCHOOL, "school_name": "测试职业学校", "region_code": "410622", "school_level": "技工院校",
                         "period": PERIOD, "enrolled_students": 1200, "staff_quota": 80, "total_teaching_hours": 2600.5,
                         "practical_teaching_hours": 1300, "contact_name": "赵敏", "contact_phone": "13903920001"}],
        "teachers": [
            {"teacher_id": "T0001", "teacher_name": "王芳", "id_number": id_number("410622", 1), "is_professional": True,
             "is_dual_qualified": True, "employment_type": "专任", "source_enterprise_uscc": None, "practice_days_12m": 30,
             "practice_days_24m": 61, "is_integrated": False},
            {"teacher_id": "T0002", "teacher_name": "李强", "id_number": None, "is_professional": True, "is_dual_qualified": False,
             "employment_type": "兼职", "source_enterprise_uscc": E1, "practice_days_12m": 0, "practice_days_24m": 0, "is_integrated": True},
        ],
        "apprentices": [
            {"student_id": "S2024001", "student_name": "陈晨", "id_number": id_number("410622", 21), "major": "数控技术",
             "apprenticeship_type": "现代学徒制", "enterprise_uscc": E1, "agreement_date": dt.date(2024, 9, 10), "status": "在读"},
            {"student_id": "S2023007", "student_name": "刘洋", "id_number": None, "major": "汽车维修",
             "apprenticeship_type": "企业新型学徒制", "enterprise_uscc": E2, "agreement_date": dt.date(2023, 9, 1), "status": "结业"},
        ],
        "graduate_destinations": [
            {"student_id": "S2022001", "student_name": "周杰", "id_number": id_number("410622", 31), "graduation_year": 2025,
             "destination_type": "就业", "employer_uscc": E2, "employer_region_code": "410611", "employer_type": "企业",
             "survey_date": dt.date(2025, 12, 31)},
            {"student_id": "S2022002", "student_name": "吴桐", "id_number": None, "graduation_year": 2025,
             "destination_type": "升学", "employer_uscc": None, "employer_region_code": None, "employer_type": None,
             "survey_date": dt.date(2025, 12, 31)},
        ],
        "cooperations": [
            {"enterprise_uscc": E1, "enterprise_name": "鹤壁某某机械有限公司", "cooperation_type": "订单培养",
             "start_date": dt.date(2025, 9, 1), "end_date": None},
            {"enterprise_uscc": E2, "enterprise_name": "鹤壁某某汽车有限公司", "cooperation_type": "产业学院",
             "start_date": dt.date(2024, 3, 1), "end_date": dt.date(2027, 2, 28)},
        ],
    }


def enterprise(**overrides) -> dict:
    row = {"uscc": E1, "enterprise_name": "鹤壁某某机械有限公司", "region_code": "410622", "period": PERIOD, "employees": 860,
           "wage_bill": 5230.75, "training_fund_extracted": 418.46, "training_fund_frontline": 251.08, "internship_posts": 40,
           "apprentices": 12, "in_vocational_group": True, "enterprise_size": "中型", "hiring_plan": 60, "secondary_vocational_hires": 18}
    return {**row, **overrides}


def enterprise_returns() -> dict[str, list[dict]]:
    return {"enterprise_returns": [enterprise()]}


def above_scale() -> dict[str, list[dict]]:
    return {"above_scale_enterprises": [
        {"uscc": E1, "enterprise_name": "甲公司", "region_code": "410622", "industry_code": "C36", "period": PERIOD},
        {"uscc": E2, "enterprise_name": "乙公司", "region_code": "410611", "industry_code": "C38", "period": PERIOD},
    ]}


def certified() -> dict[str, list[dict]]:
    return {"certified_enterprises": [
        {"uscc": E1, "enterprise_name": "甲公司", "region_code": "410622", "level": "省", "certified_on": dt.date(2024, 5, 20),
         "valid_until": dt.date(2027, 5, 19), "period": PERIOD},
        {"uscc": E3, "enterprise_name": "丙公司", "region_code": "410621", "level": "市(州)", "certified_on": dt.date(2025, 1, 8),
         "valid_until": None, "period": PERIOD},
    ]}


def carriers() -> dict[str, list[dict]]:
    return {"carriers": [
        {"carrier_id": "ZT-001", "carrier_type": "产业学院", "carrier_name": "鹤壁智能制造产业学院", "region_code": "410611", "level": "省级",
         "is_high_level": True, "lead_school_code": SCHOOL, "lead_uscc": E2, "established_on": dt.date(2022, 6, 1),
         "closed_on": None, "period": PERIOD},
        {"carrier_id": "ZT-002", "carrier_type": "技能大师工作室", "carrier_name": "淇县数控技能大师工作室", "region_code": "410622", "level": "市级",
         "is_high_level": False, "lead_school_code": None, "lead_uscc": E1, "established_on": dt.date(2019, 3, 15),
         "closed_on": dt.date(2026, 6, 30), "period": PERIOD},
    ]}


def finance() -> dict[str, list[dict]]:
    return {"education_finance": [
        {"region_code": "410600", "fiscal_year": 2025, "coverage": "本级", "local_surcharge_collected": 12500.5,
         "local_surcharge_to_ve": 3750.15, "edu_surcharge_collected": 18760.0, "edu_surcharge_to_ve": 5628.0,
         "secondary_per_student_funding": 1250.0, "higher_per_student_appropriation": 12000.0},
        {"region_code": "410600", "fiscal_year": 2025, "coverage": "全辖", "local_surcharge_collected": 30120.25,
         "local_surcharge_to_ve": 9036.08, "edu_surcharge_collected": 45180.38, "edu_surcharge_to_ve": 13554.11,
         "secondary_per_student_funding": 1180.5, "higher_per_student_appropriation": None},
    ]}


def frame() -> dict[str, list[dict]]:
    return {"reporting_frame": [
        {"submitter_code": SCHOOL, "submitter_name": "测试职业学校", "kind": "school_workbook", "region_code": "410622",
         "school_level": "技工院校", "affiliation": "县属", "contact_name": "赵敏", "contact_phone": "13903920001",
         "email": "zhaomin@example.cn", "from_period": "2026-01", "to_period": None},
        {"submitter_code": E1, "submitter_name": "鹤壁某某机械有限公司", "kind": "enterprise_return", "region_code": "410622",
         "school_level": None, "affiliation": "企业办", "contact_name": "孙丽", "contact_phone": "0392-1234567",
         "email": None, "from_period": "2026-01", "to_period": "2026-12"},
        {"submitter_code": "410600", "submitter_name": "鹤壁市统计局", "kind": "above_scale_register", "region_code": "410600",
         "school_level": None, "affiliation": "市属", "contact_name": "钱进", "contact_phone": "0392-7654321",
         "email": "tjj@example.cn", "from_period": "2026-01", "to_period": None},
    ]}


ALL = {
    "school_workbook": school,
    "enterprise_return": enterprise_returns,
    "above_scale_register": above_scale,
    "certified_enterprises": certified,
    "carriers": carriers,
    "education_finance": finance,
    "reporting_frame": frame,
}
