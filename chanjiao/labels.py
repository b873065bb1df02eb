"""The Chinese words a reader of the release sees: column headers and the meaning of every code.

Shared by the workbook and the bulletin so the two never say different things.
"""
from __future__ import annotations

INDICATOR_HEADERS = {
    "indicator": "指标代码", "indicator_name": "指标名称", "region": "区划代码", "region_name": "地区",
    "region_level": "层级", "period": "统计期", "cohort_year": "毕业届别", "numerator": "分子", "denominator": "分母",
    "value": "指标值", "unit": "单位", "status": "状态", "coverage_expected": "应报单位数", "coverage_accepted": "已受理单位数",
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

REGION_LEVEL = {"province": "省", "city": "市", "county": "县(区)"}
VALUE_STATUS = {"ok": "正常", "not_computable": "无法计算(分母为0)", "no_data": "无数据(无在用报送)"}
TARGET_STATUS = {"met": "达标", "not_met": "未达标", "not_computable": "无法计算", "no_data": "无数据", "reference": "参考水平(不评判)"}
TARGET_KIND = {"target": "目标", "reference": "参考水平"}
DEADLINE_STATE = {"due": "期限内", "past_due": "已过期限", "unknown": "期限不详(汇编来源年份缺失)"}
OBS_STATUS = {"A": "正常值 (normal)", "P": "暂定值 (provisional): 应报单位未全部受理", "O": "缺失值 (missing): 无法计算或无数据"}


def label(mapping: dict[str, str], code: object) -> object:
    """The Chinese word for a code, or the code itself where there is none (never hide a value)."""
    return mapping.get(code, code) if isinstance(code, str) else code
