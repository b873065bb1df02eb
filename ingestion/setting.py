"""Settings handed to ingestion and the gate as a mapping of names to text (the caller's environment,
read by `chanjiao.settings`): one error type, and one way to read a number from such a mapping.

`ingestion` and `expectations` never read the environment themselves; they are told.
"""
from __future__ import annotations

import math
from collections.abc import Mapping


class SettingError(ValueError):
    """A setting is not valid. The message is one line naming the setting, its value and the fix."""


def number(mapping: Mapping[str, str], name: str, default: int | float, *, zero_allowed: bool = False) -> int | float:
    """`mapping[name]` read as a number of `default`'s type (int or float; '_' allowed as a separator),
    or `default` when absent or blank. Refused (SettingError): text that is no number, a number that is
    not finite, and one below zero (or zero itself unless `zero_allowed`)."""
    raw = mapping.get(name)
    if raw is None or raw.strip() == "":
        return default
    convert = float if isinstance(default, float) else int
    try:
        value = convert(raw.strip().replace("_", ""))
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number: give a plain {convert.__name__} (e.g. {default})") from None
    if not math.isfinite(value):
        raise SettingError(f"{name}={raw!r} must be a finite number (e.g. {default})")
    if value < 0 or (value == 0 and not zero_allowed):
        raise SettingError(f"{name}={raw!r} must be {'0 or more' if zero_allowed else 'greater than 0'}")
    return value
