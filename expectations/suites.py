"""One Great Expectations suite per sheet/register kind: the rules of templates.md as code.

Every expectation carries `meta`: the rule id, the field it reports on and the Chinese message the
submitter receives. Verdict columns (`*_valid`) come from the reader, so the gate never sees a raw
personal value.
"""
from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe

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
        gxe.ExpectColumnValuesToMatchRegex(column="school_code", regex=r"^\d{10}$", meta=_meta("school_code_format", "school_code", "学校标识码应为10位数字")),
        gxe.ExpectColumnValuesToBeBetween(column="enrolled_students", min_value=0, meta=_meta("range", "enrolled_students", "在校生数不能为负数")),
        gxe.ExpectColumnValuesToBeBetween(column="staff_quota", min_value=0, meta=_meta("range", "staff_quota", "编制员额不能为负数")),
        gxe.ExpectColumnValuesToBeBetween(column="total_teaching_hours", min_value=0, meta=_meta("range", "total_teaching_hours", "总课时不能为负数")),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="total_teaching_hours", column_B="practical_teaching_hours", or_equal=True,
            meta=_meta("practical_le_total", "practical_teaching_hours", "实践性教学课时不能大于总课时：请核对两项课时"),
        ),
        gxe.ExpectColumnValuesToBeBetween(column="practical_teaching_hours", min_value=0, meta=_meta("range", "practical_teaching_hours", "实践性教学课时不能为负数")),
    ]


def teachers(period: str) -> list:
    return [
        _unique(["teacher_id_hash"], "teacher_id", "教师工号在本校内重复：每位教师只能占一行，请删除重复行或更正工号"),
        gxe.ExpectColumnValuesToBeInSet(
            column="is_professional", value_set=[True], row_condition="is_dual_qualified==True", condition_parser="pandas",
            meta=_meta("dual_requires_professional", "is_dual_qualified", "只有专业课教师可认定为双师型：请将“是否双师型”改为“否”，或将“是否专业课教师”改为“是”"),
        ),
        gxe.ExpectColumnValuesToNotBeNull(
            column="source_enterprise_uscc", row_condition='employment_type=="兼职"', condition_parser="pandas",
            meta=_meta("part_time_requires_uscc", "source_enterprise_uscc", "兼职教师必须填写来源企业统一社会信用代码"),
        ),
        gxe.ExpectColumnValuesToBeBetween(column="practice_days_12m", min_value=0, max_value=366, meta=_meta("range", "practice_days_12m", "近12个月企业实践天数应在0至366之间")),
        gxe.ExpectColumnValuesToBeBetween(column="practice_days_24m", min_value=0, max_value=731, meta=_meta("range", "practice_days_24m", "近24个月企业实践天数应在0至731之间")),
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
        gxe.ExpectColumnValuesToMatchRegex(column="industry_code", regex=r"^[A-T]\d{2}$", meta=_meta("industry_code_format", "industry_code", "行业代码应为门类字母加2位数字，如C36")),
    ]


# Rules beyond what the registry implies, per table: ranges, cross-field and uniqueness rules.
EXTRA_RULES = {
    "school_info": school_info,
    "teachers": teachers,
    "cooperations": cooperations,
    "above_scale_enterprises": above_scale_enterprises,
}


def suite_for(table: str, period: str) -> gx.ExpectationSuite:
    extra = EXTRA_RULES[table](period) if table in EXTRA_RULES else []
    return gx.ExpectationSuite(name=table, expectations=[*_from_registry(table, period), *extra])
