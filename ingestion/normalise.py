"""Turn one spreadsheet cell into a warehouse value, or say in Chinese what is wrong with it.

Every function takes the raw cell (str, int, float, bool, date/datetime or None, as python-calamine
returns it; always str from a CSV) and returns the normalised value; it raises `CellError` with a
message a submitter can act on. Nothing here guesses: a value that could mean two things is refused.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from decimal import Decimal

# Compared after NFKC folding and upper-casing: "Ｎ／Ａ" is "N/A", "－" is "-".
EMPTY_TOKENS = {"", "—", "——", "-", "--", "/", "\\", "无", "暂无", "N/A", "NA", "NULL", "NONE", "空"}
TRUE_TOKENS = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "✔", "对"}
FALSE_TOKENS = {"否", "N", "NO", "FALSE", "0", "×", "✗", "✘", "X"}
EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!"}
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (1, 2958466)  # Excel's 1900 date system: 1900-01-01 .. 9999-12-31
# What Excel shows for a number too long for its cell: one digit, at most 14 more after a point, E, and
# the exponent; with a point or a sign ("9.14106E+17", "9E+17", "4.10602E17").
EXCEL_SCIENTIFIC = re.compile(r"[+-]?\d(\.\d{1,14})?E[+-]\d{1,3}|[+-]?\d\.\d{1,14}E\d{1,3}")


_WHOLE_NUMBER_TEXT = re.compile(r"\d+\.0+")
_SPACES_INSIDE = re.compile(r"\s+")


class CellError(ValueError):
    """The cell cannot be read as its field's type; the message is Chinese and actionable."""


_normalize = unicodedata.normalize


def _text(cell: object) -> str:
    # A str is normalised directly: NFKC of an already-normal string is a quick check, cheaper than a
    # cache lookup (the reader converts each distinct value of a column once anyway).
    if cell.__class__ is str:
        return _normalize("NFKC", cell).strip()
    return _text_of(cell)


@functools.lru_cache(maxsize=1 << 14, typed=True)  # numbers repeat down a column; typed: 1, 1.0 and True differ
def _text_of(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def _is_number(cell: object) -> bool:
    return isinstance(cell, (int, float)) and not isinstance(cell, bool)


def is_empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and _text(cell).upper() in EMPTY_TOKENS)


def refuse_error_value(cell: object) -> None:
    """A formula error shown in the cell (#N/A, #REF!) is not a value of any type."""
    if isinstance(cell, str) and "#" in cell and _text(cell).upper() in EXCEL_ERRORS:
        raise CellError(f"是公式错误值（{_text(cell)}）：请填写实际数值，或将公式改为数值后重新报送")


def text(cell: object) -> str:
    return _text(cell)


def text_or_none(cell: str) -> str | None:
    """A str cell's `text`, or None when it `is_empty`; a formula error value raises as in
    `refuse_error_value`. The three in one normalisation, for the reader's cell loop."""
    s = _normalize("NFKC", cell).strip()
    upper = s.upper()
    if "#" in cell and upper in EXCEL_ERRORS:
        raise CellError(f"是公式错误值（{s}）：请填写实际数值，或将公式改为数值后重新报送")
    return None if upper in EMPTY_TOKENS else s


def _digits(cell: object, what: str) -> str:
    """The digits of a code cell; a leading apostrophe (typed to keep zeros) is not part of it."""
    if isinstance(cell, float) and not cell.is_integer():
        raise CellError(f"应为{what}，请将该列设置为文本格式后重新填写")
    s = _text(cell).lstrip("'")
    if _WHOLE_NUMBER_TEXT.fullmatch(s):
        s = s.partition(".")[0]  # "410611.0": a whole number written out by a program, digits intact
    if not s.isdigit() and EXCEL_SCIENTIFIC.fullmatch(s.upper()):
        raise CellError(f"以科学计数法显示，已丢失数字：请将该列设置为文本格式后重新填写{what}")
    return s


def code(cell: object, length: int) -> str:
    """A fixed-length digit code. Zeros a spreadsheet dropped are restored from the fixed length."""
    s = _digits(cell, f"{length}位数字代码")
    if not s.isdigit() or len(s) > length:
        raise CellError(f"应为{length}位数字代码")
    return s.zfill(length)


def long_code(cell: object, length: int = 18) -> str:
    """An 18-character code (USCC, ID number) as text, to be judged by its own standard. Never repaired:
    a number has lost digits."""
    if _is_number(cell):
        # Excel keeps 15 significant digits: an 18-digit code stored as a number is already damaged.
        raise CellError(f"该{length}位代码被存成了数字（科学计数法），后几位已丢失：请将该列设置为文本格式后重新填写")
    # spaces typed to group the digits ("410611 19900101 0124") are no part of the code
    return _SPACES_INSIDE.sub("", _text(cell).lstrip("'")).upper()


def refuse_scientific(s: str, length: int = 18) -> None:
    """Refuse a code that failed its own standard's check and reads as Excel's display of a long number
    ("9.14106E+17"): its digits are lost. A heuristic, so it is asked only after the standard's check:
    "91410603E448801280" passes GB 32100 and is that USCC, not a number."""
    if EXCEL_SCIENTIFIC.fullmatch(s.upper()):
        raise CellError(f"该{length}位代码以科学计数法显示，后几位已丢失：请将该列设置为文本格式后重新填写")


def submitter_code(cell: object) -> str:
    """A school code (10 digits), a region code (6 digits) or a USCC (18 characters).

    Region codes never begin with 0, so a digit string of another length up to 10 is a school code
    that lost its leading zeros; anything longer is an 18-character code and must arrive as text."""
    if _is_number(cell) and abs(cell) >= 10**10:
        return long_code(cell)
    s = _digits(cell, "代码")
    if s.isdigit() and len(s) <= 10 and len(s) != 6:
        return s.zfill(10)
    if s.isdigit() and len(s) == 6:
        return s
    code = long_code(s)
    if not code.isdigit():
        refuse_scientific(code)
    return code


def _plain_number(cell: object, what: str) -> Decimal:
    """A number typed as text: full-width digits and thousands separators allowed, nothing else."""
    s = _text(cell).replace(",", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s):
        raise CellError(f"应为{what}")
    return Decimal(s)


def integer(cell: object) -> int:
    if isinstance(cell, bool):
        raise CellError("应为整数")
    if _is_number(cell):
        if float(cell).is_integer():
            return int(cell)
        raise CellError("应为整数，不能有小数")
    value = _plain_number(cell, "整数")
    if value != value.to_integral_value():
        raise CellError("应为整数，不能有小数")
    return int(value)


def number(cell: object) -> float:
    if isinstance(cell, bool):
        raise CellError("应为数值")
    return float(cell) if _is_number(cell) else float(_plain_number(cell, "数值"))


def scale(value: float, written: str, wanted: str, factors: dict[str, int]) -> float:
    """A money value converted from the unit its header states to the field's unit, in decimal arithmetic
    so 1234500 元 is exactly 123.45 万元."""
    if written == wanted:
        return value
    return float(Decimal(repr(value)) * Decimal(factors[written]) / Decimal(factors[wanted]))


def ratio(cell: object) -> float:
    """A share as 0.12 or "12%". A bare number above 1 could be a percent or a mistake: refused."""
    if _is_number(cell):
        value = Decimal(repr(float(cell)))
    else:
        s = _text(cell).replace(" ", "")
        value = _plain_number(s[:-1], "比例") / 100 if s.endswith("%") else _plain_number(s, "比例")
    if not 0 <= value <= 1:
        raise CellError("应为0至1之间的小数或百分数，如0.12或12%")
    return float(value)


def flag(cell: object) -> bool:
    if isinstance(cell, bool):
        return cell
    s = _text(cell).upper()
    if s in TRUE_TOKENS:
        return True
    if s in FALSE_TOKENS:
        return False
    raise CellError("应填“是”或“否”")


def _fold(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


@functools.cache
def _enum_lookup(values: tuple[str, ...], aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {_fold(v): v for v in values} | {_fold(a): v for a, v in aliases}


def enum(cell: object, values: tuple[str, ...], aliases: tuple[tuple[str, str], ...] = ()) -> str:
    """One of `values`, compared with spaces and width folded; `aliases` are other spellings of a value."""
    value = _enum_lookup(values, aliases).get(_fold(_text(cell)))
    if value is None:
        raise CellError("应为以下之一：" + "、".join(values))
    return value


def _serial(cell: float | int) -> dt.date:
    if not SERIAL_RANGE[0] <= cell < SERIAL_RANGE[1]:
        raise CellError("日期无法识别，请填写如2026-10-08")
    return EXCEL_EPOCH + dt.timedelta(days=int(cell))


def date(cell: object) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if _is_number(cell):
        return _serial(cell)  # a date cell that lost its date format shows its serial day number
    s = _text(cell)
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return _serial(int(s.partition(".")[0]))  # a serial day number, as a CSV saved by Excel writes a date
    m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?(\s+\d{1,2}:\d{2}(:\d{2})?)?", s) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise CellError("日期无法识别，请填写如2026-10-08")


def month(cell: object) -> str:
    """A year and month as YYYY-MM."""
    if isinstance(cell, (dt.date, dt.datetime)):
        return f"{cell.year:04d}-{cell.month:02d}"
    if isinstance(cell, float) and not cell.is_integer():
        # "2026.10" typed into a number cell becomes 2026.1: October and January look the same.
        raise CellError("被存成了数字（如2026.1），无法区分1月和10月：请将该列设置为文本格式后填写为2026-10")
    if _is_number(cell) and 20000 <= cell < 80000:
        d = _serial(cell)
        return f"{d.year:04d}-{d.month:02d}"
    s = _text(cell)
    m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*(月份?)?", s) or re.fullmatch(r"(\d{4})(\d{2})", s)
    if m and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    try:  # a whole date written for the month ("2026-10-31", "2026年10月31日") is that date's month
        d = date(s)
    except CellError:
        raise CellError("应为年月，如2026-10") from None
    return f"{d.year:04d}-{d.month:02d}"


def period(cell: object) -> str:
    try:
        return month(cell)
    except CellError as err:
        raise CellError(str(err).replace("应为年月", "报告期应为年月")) from None


def year(cell: object) -> int:
    """A 4-digit year; "2025年" and "2025年度" are the same year."""
    s = _text(cell) if not isinstance(cell, float) or cell.is_integer() else ""
    m = re.fullmatch(r"(\d{4})\s*(年度?)?", s)
    if m and 1900 <= int(m[1]) <= 2100:
        return int(m[1])
    raise CellError("应为4位年份，如2025")
