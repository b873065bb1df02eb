"""The notes a release carries beside its numbers: definitions, sources, codes, and the aims it does not track."""
from __future__ import annotations

import csv
from pathlib import Path

from chanjiao import labels

AIMS_FILE = Path(__file__).with_name("aims_outside.csv")


def aims_outside(regions: set[str] | None = None) -> list[dict]:
    """Quantitative aims of the policy documents that no submission carries data for (indicators.md):
    listed in every release as tracked outside chanjiao, so a reader does not take silence for zero;
    only those of `regions` (the regions a release holds values for) when given."""
    with AIMS_FILE.open(encoding="utf-8", newline="") as fh:
        return [a for a in csv.DictReader(fh) if regions is None or a["jurisdiction_code"] in regions]


def status_codes() -> list[tuple[str, str, str]]:
    """(what, code, meaning) for every code a release file uses: what and meaning in Chinese, the code as the files spell it."""
    groups = [("指标状态", labels.VALUE_STATUS), ("达标状态", labels.TARGET_STATUS),
              ("目标类别", labels.TARGET_KIND), ("期限状态", labels.DEADLINE_STATE),
              ("数据状态(SDMX)", labels.OBS_STATUS), ("修订标记(SDMX)", {"Y": "较上一版本有修订", "N": "无修订"}),
              ("保密状态(SDMX)", {**labels.CONF_STATUS, "C": "不予公布(x)：填报单位少于规定数的小单元格，或为防止推算一并隐去的单元格"}),
              ("层级", labels.REGION_LEVEL)]
    return [(group, code, meaning) for group, mapping in groups for code, meaning in mapping.items()]
