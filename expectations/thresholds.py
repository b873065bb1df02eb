"""The shares the batch rules (`expectations.batch_rules`) judge against, passed in by the caller.

`chanjiao.settings` builds them from the environment with `Thresholds.from_mapping`, which reads CHANJIAO_GATE_TEACHER_CHANGE
and CHANJIAO_GATE_REGISTER_SHRINK. Kept apart from the rules so that reading the configuration does not
import Great Expectations (seconds).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ingestion.setting import number


@dataclass(frozen=True)
class Thresholds:
    teacher_change: float = 0.3  # a school's teacher count moving more than this share: warning
    register_shrink: float = 0.2  # a register shrinking by more than this share: error

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> Thresholds:
        """Defaults, overridden by CHANJIAO_GATE_TEACHER_CHANGE / CHANJIAO_GATE_REGISTER_SHRINK in `mapping`
        (shares: 0.3 is 30%; 0 warns of any change). Anything else raises `ingestion.setting.SettingError`."""
        return cls(teacher_change=number(mapping, "CHANJIAO_GATE_TEACHER_CHANGE", cls.teacher_change, zero_allowed=True),
                   register_shrink=number(mapping, "CHANJIAO_GATE_REGISTER_SHRINK", cls.register_shrink, zero_allowed=True))


DEFAULT_THRESHOLDS = Thresholds()  # frozen: one shared instance is a safe default argument
