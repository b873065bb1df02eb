"""One Great Expectations suite per sheet/register kind: the rules of templates.md as code.

Every expectation carries `meta`: the rule id, the field it reports on and the Chinese message the
submitter receives. Verdict columns (`*_valid`) come from the reader, so the gate never sees a raw
personal value.
"""
from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

# Row conditions are Condition objects (string conditions are deprecated since GX 1.9); on pandas GX
# renders them to the same DataFrame.query expression the strings were.
from great_expectations.expectations.row_conditions import Column

from ingestion.period import Period
from ingestion.registry import tables

USCC_FIX = "请核对18位统一社会信用代码（可在国家企业信用信息公示系统查询）"


def _meta(rule: str, field: str, message: str) -> dict:
    return {"rule": rule, "field": field, "message": message}


def _from_registry(table: str, period: str) -> list:
    """Rules every sheet gets from its registry entry: required fields, check-character and region
    verdicts, and the period being collected."""
    sheet = tables()[table]
    rules: list = []
    for f in sheet.fields:
        if f.required:
            rules.append(gxe.ExpectColumnValuesToNotBeNull(column=f.columns[0], meta=_meta("required", f.name, f"“{f.header}”为必填项：{f.rule}")))
        if f.type == "uscc":
            rules.append(_valid(f.name, f.name, f"“{f.header}”校验位错误：" + USCC_FIX))
        elif f.type == "id_number":
            rules.append(_valid(f.name, f.name, f"“{f.header}”校验位或出生日期错误：请核对18位身份证号"))
        elif f.type == "region":
            rules.append(_valid(f.name, f.name, f"“{f.header}”在报告期末不存在：请填写现行6位县级行政区划代码"))
        elif f.type == "period":
            rules.append(_period(period))
    return rules


def _valid(field: str, name: str, message: str) -> gxe.Expectation:
    # The reader's verdict; nulls are not judged here (optional fields), `required` covers required ones.
    return gxe.ExpectColumnValuesToBeInSet(column=f"{field}_valid", value_set=[True], meta=_meta(f"{name}_check", name, message))


def _period(period: str) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeInSet(
        column="period", value_set=[period], meta=_meta("period", "period", f"报告期与本次采集期{period}不符：请填写{period}，或按该报告期另行报送")
    )


def _unique(columns: list[str], field: str, message: str) -> gxe.Expectation:
    return gxe.ExpectCompoundColumnsToBeUnique(column_list=["source_file", *columns], meta=_meta("unique", field, message))


def school_info(period: str) -> list:
    return [
        gxe.ExpectColumnValuesToBeBetween(column="enrolled_students", min_value=0, meta=_meta("range", "enrolled_students", "在校生数不能为负数")),
        gxe.ExpectColumnValuesToBeBetween(column="staff_quota", min_value=0, meta=_meta("range", "staff_quota", "编制员额不能为负数")),
        gxe.ExpectColumnValuesToBeBetween(column="total_teaching_hours", min_value=0, meta=_meta("range", "total_teaching_hours", "总课时不能为负数")),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="total_teaching_hours", column_B="practical_teaching_hours", or_equal=True,
            meta=_meta("practical_le_total", "practical_teaching_hours", "实践性教学课时不能大于总课时：请核对两项课时"),
        ),
        gxe.ExpectColumnValuesToBeBetween(column="practical_teaching_hours", min_value=0,
                                          meta=_meta("range", "practical_teaching_hours", "实践性教学课时不能为负数")),
    ]


def teachers(period: str) -> list:
    return [
        _unique(["teacher_id_hash"], "teacher_id", "教师工号在本校内重复：每位教师只能占一行，请删除重复行或更正工号"),
        gxe.ExpectColumnValuesToBeInSet(
            column="is_professional", value_set=[True], row_condition=Column("is_dual_qualified") == True,  # noqa: E712 (builds a Condition; is_in() refuses booleans)
            meta=_meta("dual_requires_professional", "is_dual_qualified",
                       "只有专业课教师可认定为双师型：请将“是否双师型”改为“否”，或将“是否专业课教师”改为“是”"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="source_enterprise_uscc", row_condition=Column("employment_type") == "兼职",
            meta=_meta("part_time_requires_uscc", "source_enterprise_uscc", "兼职教师必须填写来源企业统一社会信用代码"),
        ),
        gxe.ExpectColumnValuesToBeBetween(column="practice_days_12m", min_value=0, max_value=366,
                                          meta=_meta("range", "practice_days_12m", "近12个月企业实践天数应在0至366之间")),
        gxe.ExpectColumnValuesToBeBetween(column="practice_days_24m", min_value=0, max_value=731,
                                          meta=_meta("range", "practice_days_24m", "近24个月企业实践天数应在0至731之间")),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="practice_days_24m", column_B="practice_days_12m", or_equal=True, ignore_row_if="either_value_is_missing",
            meta=_meta("practice_24m_ge_12m", "practice_days_24m", "近24个月企业实践天数不能少于近12个月天数"),
        ),
    ]


def cooperations(period: str) -> list:
    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="end_date", column_B="start_date", or_equal=True, ignore_row_if="either_value_is_missing",
            meta=_meta("end_after_start", "end_date", "结束日期早于开始日期：请核对合作起止日期"),
        ),
    ]


def above_scale_enterprises(period: str) -> list:
    return [
        _unique(["uscc"], "uscc", "同一企业在名录中重复出现：请删除重复行"),
        gxe.ExpectColumnValuesToMatchRegex(column="industry_code", regex=r"^[A-T]\d{2}$",
                                           meta=_meta("industry_code_format", "industry_code", "行业代码应为门类字母加2位数字，如C36")),
    ]


def _not_after_period_end(column: str, field: str, header: str, period: str) -> gxe.Expectation:
    end = Period.parse(period).end
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, max_value=end, meta=_meta("after_period_end", field, f"“{header}”晚于报告期末{end.isoformat()}：请核对日期")
    )


def _not_above(column_a: str, column_b: str, field: str, message: str) -> gxe.Expectation:
    """column_b must not exceed column_a (both present)."""
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=column_a, column_B=column_b, or_equal=True, ignore_row_if="either_value_is_missing", meta=_meta(f"{field}_not_above", field, message)
    )


def _non_negative(table: str) -> list:
    return [
        gxe.ExpectColumnValuesToBeBetween(column=f.name, min_value=0, meta=_meta("range", f.name, f"“{f.header}”不能为负数"))
        for f in tables()[table].fields if f.type in ("int", "number")
    ]


def apprentices(period: str) -> list:
    return [
        _unique(["student_id_hash"], "student_id", "学号在本校学徒名单中重复：每名学徒只能占一行"),
        _not_after_period_end("agreement_date", "agreement_date", "三方协议签订日期", period),
    ]


def graduate_destinations(period: str) -> list:
    return [
        _unique(["student_id_hash", "survey_date"], "student_id", "同一学生同一调查日期出现多行：每次调查每人一行"),
        _not_after_period_end("survey_date", "survey_date", "调查日期", period),
        gxe.ExpectColumnValuesToNotBeNull(
            column="employer_uscc", row_condition=(Column("destination_type") == "就业") & (Column("employer_type") == "企业"),
            meta=_meta("employed_requires_uscc", "employer_uscc", "到企业就业的毕业生必须填写就业单位统一社会信用代码"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="employer_region_code", row_condition=(Column("destination_type") == "就业") | (Column("destination_type") == "自主创业"),
            meta=_meta("employed_requires_region", "employer_region_code", "就业或自主创业的毕业生必须填写就业单位所在地区划代码"),
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="graduation_year", min_value=2000, max_value=Period.parse(period).year,
            meta=_meta("range", "graduation_year", f"毕业年份应为2000至{period[:4]}之间的4位年份"),
        ),
    ]


def enterprise_returns(period: str) -> list:
    return [
        *_non_negative("enterprise_returns"),
        _unique(["uscc"], "uscc", "同一企业在文件中出现多行：每家企业一行"),
        _not_above("training_fund_extracted", "training_fund_frontline", "training_fund_frontline", "一线职工教育培训支出不能大于职工教育经费提取额"),
    ]


def certified_enterprises(period: str) -> list:
    return [
        _unique(["uscc"], "uscc", "同一企业在名单中重复出现：请删除重复行"),
        _not_above("valid_until", "certified_on", "valid_until", "有效期至早于认定日期：请核对日期"),
    ]


def carriers(period: str) -> list:
    return [
        _unique(["carrier_id"], "carrier_id", "载体编号重复：每个载体一行，编号唯一"),
        _not_above("closed_on", "established_on", "closed_on", "撤销日期早于成立日期：请核对日期"),
    ]


def education_finance(period: str) -> list:
    return [
        *_non_negative("education_finance"),
        _unique(["region_code", "fiscal_year", "coverage"], "region_code", "同一地区、年度、口径出现多行：请合并为一行"),
        _not_above("local_surcharge_collected", "local_surcharge_to_ve", "local_surcharge_to_ve", "地方教育附加用于职业教育额不能大于征收额"),
        _not_above("edu_surcharge_collected", "edu_surcharge_to_ve", "edu_surcharge_to_ve", "教育费附加用于职业教育额不能大于征收额"),
    ]


def reporting_frame(period: str) -> list:
    return [
        _unique(["submitter_code", "kind"], "submitter_code", "同一单位同一报表类型在名录中重复：请删除重复行"),
        _not_above("to_period", "from_period", "to_period", "止报期早于起报期：请核对"),
    ]


# Rules beyond what the registry implies, per table: ranges, cross-field, date and uniqueness rules.
EXTRA_RULES = {
    "school_info": school_info,
    "teachers": teachers,
    "apprentices": apprentices,
    "graduate_destinations": graduate_destinations,
    "cooperations": cooperations,
    "above_scale_enterprises": above_scale_enterprises,
    "enterprise_returns": enterprise_returns,
    "certified_enterprises": certified_enterprises,
    "carriers": carriers,
    "education_finance": education_finance,
    "reporting_frame": reporting_frame,
}


def suite_for(table: str, period: str) -> gx.ExpectationSuite:
    extra = EXTRA_RULES[table](period) if table in EXTRA_RULES else []
    return gx.ExpectationSuite(name=table, expectations=[*_from_registry(table, period), *extra])
