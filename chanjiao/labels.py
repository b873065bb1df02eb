"""The Chinese words a reader of the release sees: column headers and the meaning of every code.

Shared by the workbook and the bulletin so the two never say different things.
"""
from __future__ import annotations

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
OBS_STATUS = {"A": "正常值 (normal)", "P": "暂定值 (provisional): 应报单位未全部受理", "O": "缺失值 (missing): 无法计算或无数据"}


def label(mapping: dict[str, str], code: object) -> object:
    """The Chinese word for a code, or the code itself where there is none (never hide a value)."""
    return mapping.get(code, code) if isinstance(code, str) else code
