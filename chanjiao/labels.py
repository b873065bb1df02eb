"""The Chinese words a reader of the release sees: column headers and the meaning of every code.

Shared by the workbook and the bulletin so the two never say different things.
"""
from __future__ import annotations

from ingestion.registry import kinds

INDICATOR_HEADERS = {
    "indicator": "指标代码", "indicator_name": "指标名称", "region": "区划代码", "region_name": "地区",
    "region_level": "层级", "period": "统计期", "cohort_year": "毕业届别", "numerator": "分子", "denominator": "分母",
    "value": "指标值", "unit": "单位", "status": "状态", "coverage_expected": "应报单位数", "coverage_accepted": "已受理单位数",
    "obs_status": "数据状态(SDMX OBS_STATUS)", "conf_status": "保密状态(SDMX CONF_STATUS)",
}
TARGET_HEADERS = {
    "indicator": "指标代码", "region": "区划代码", "kind": "类别", "variant": "口径", "comparator": "比较符", "value": "目标值",
    "upper": "上限", "by": "期限(年)", "variant_value": "口径值", "status": "达标状态", "deadline_state": "期限状态",
    "value_at_deadline": "期限年12月值", "status_at_deadline": "期限年12月状态", "source": "政策依据",
}
REVISION_HEADERS = {
    "table": "表", "indicator": "指标代码", "region": "区划代码", "variant": "口径", "by": "期限(年)", "field": "字段",
    "previous": "上一版本", "current": "本版本",
}

# `chanjiao query --format xlsx`: the marts' own column names (interface.md, "Warehouse"), in the release's words
QUERY_HEADERS = {
    **INDICATOR_HEADERS, "indicator_code": "指标代码", "name_zh": "指标名称", "region_code": "区划代码", "variant_code": "口径",
    "jurisdiction_code": "区划代码", "jurisdiction_name": "地区", "lower": "目标值", "by_year": "期限(年)",
    "variant_value": "口径值", "comparator": "比较符", "upper": "上限", "deadline_state": "期限状态",
    "value_at_deadline": "期限年12月值", "status_at_deadline": "期限年12月状态", "source_document": "政策依据", "clause": "条款",
    "source_quality": "来源质量", "kind": "类别", "small_cell": "小单元格", "provisional": "暂定值", "withheld": "不予公布",
    "parent_code": "上级区划代码", "province_code": "省级区划代码", "city_code": "市级区划代码",
    "school_code": "学校代码", "school_name": "学校名称", "school_level": "办学层次", "uscc": "统一社会信用代码",
    "enterprise_name": "企业名称", "industry_code": "行业代码", "is_above_scale": "规模以上",
    "numerator_definition": "分子定义", "denominator_definition": "分母定义", "definition_source": "定义依据",
    "submitter": "填报单位", "submitter_code": "填报单位代码", "submitter_name": "填报单位名称", "file_name": "文件名",
    "received_at": "接收时间", "ingested_at": "入库时间", "row_count": "行数", "collection_state": "报送状态",
    "is_expected": "应报", "files_received": "收到文件数", "files_accepted": "接收文件数", "files_rejected": "退回文件数",
}

REGION_LEVEL = {"province": "省", "city": "市", "county": "县(区)"}
VALUE_STATUS = {"ok": "正常", "not_computable": "无法计算(分母为0)", "no_data": "无数据(无在用报送)"}
TARGET_STATUS = {"met": "达标", "not_met": "未达标", "not_computable": "无法计算", "no_data": "无数据", "reference": "参考水平(不评判)"}
TARGET_KIND = {"target": "目标", "reference": "参考水平"}
DEADLINE_STATE = {"due": "期限内", "past_due": "已过期限", "unknown": "期限不详(汇编来源年份缺失)"}
OBS_STATUS = {"A": "正常值", "P": "暂定值：应报单位未全部受理", "O": "缺失值：无法计算或无数据"}
CONF_STATUS = {"F": "可公开", "C": "不予公布"}
COMPARATOR = {">=": ">=", ">": ">", "between": "介于(含上下限)"}
BY_YEAR = {"unknown": "不详(汇编来源年份缺失)"}
# `chanjiao status`: a submitter's files (ledger) and the reporting frame's collection state
COLLECTION_STATE = {"accepted": "已接收", "rejected": "被退回", "received": "已收到", "missing": "未报", "duplicate": "重复(相同文件已接收)"}
# The 修订 sheet: which table and which published field of it a revision changed
REVISION_TABLE = {"indicator": "指标值表", "target": "目标表"}
REVISION_FIELD = {
    "indicator": {"numerator": "分子", "denominator": "分母", "value": "指标值", "status": "状态", "obs_status": "数据状态"},
    "target": {"variant_value": "口径值", "status": "达标状态", "deadline_state": "期限状态", "value_at_deadline": "期限年12月值",
               "status_at_deadline": "期限年12月状态"},
}
# ... and the Chinese words of the codes each field holds
REVISION_CODES = {
    "indicator": {"status": VALUE_STATUS, "obs_status": OBS_STATUS},
    "target": {"status": TARGET_STATUS, "deadline_state": DEADLINE_STATE, "status_at_deadline": TARGET_STATUS},
}


def label(mapping: dict[str, str], code: object) -> object:
    """The Chinese word for a code, or the code itself where there is none (never hide a value)."""
    return mapping.get(code, code) if isinstance(code, str) else code


# A target's variant (int_targets.variant_code: population, scope, rule, band joined by ";") in words, so
# no reader sees the code: "population=dual_or_integrated" is 双师型或一体化教师.
POPULATION = {
    "all": "全部", "all_teachers": "全体教师", "fulltime_professional_teachers": "专任专业课教师",
    "dual_or_integrated": "双师型或一体化教师", "higher_schools": "高职院校", "secondary_schools": "中职学校",
    "carrier_high_level": "高水平载体", "carrier_led_by_higher_school": "高校牵头的载体",
}


def variant_text(code: str | None, region_names: dict[str, str] | None = None) -> str:
    """The 口径 of a variant code in Chinese; empty for the default."""
    if not code or code == "default":
        return ""
    words = []
    for part in code.split(";"):
        key, _, value = part.partition("=")
        if key == "population":
            level = value.partition("carrier_level:")[2]
            words.append(f"{level}载体" if level else POPULATION.get(value, value))
        elif key == "scope":
            words.append(f"限{(region_names or {}).get(value, value)}范围")
        elif key == "rule":
            days, _, months = value.partition("/")
            words.append(f"{months.rstrip('m')}个月内企业实践累计不少于{days.rstrip('d')}天")
        elif key == "band":
            low, _, high = value.partition("..")
            words.append(f"比例{low}%–{high}%" if low and high else f"比例不低于{low}%" if low else f"比例不高于{high}%")
        else:
            words.append(part)
    return "，".join(words)


# Notes the targets seed keeps in its clause column (for engineers, in English), as a reader of a release
# should see them.
CLAUSE_NOTES = {
    "(permission)": "（许可性条款，作参考水平）",
    "(compilation)": "（据网络汇编，年份缺失，待核对原文）",
    "(allotment of 编制)": "（编制分配）",
    "(compilation; 8% is also the national tax-deduction ceiling — verify against the official text)":
        "（据网络汇编；8%亦为国家税前扣除上限，待核对原文）",
}


def source_text(source: str) -> str:
    """A target's document and clause with the seed's English notes in Chinese."""
    for note, words in CLAUSE_NOTES.items():
        source = source.replace(f" {note}", words).replace(note, words)
    return source


def kind_title(kind: str | None) -> str:
    """A kind of submission by its form's title (职业院校产教融合数据报表…); the code where the registry has none."""
    return kinds()[kind].title if kind in kinds() else (kind or "?")
