"""Turn one spreadsheet cell into a warehouse value, or say in Chinese what is wrong with it.

Every function takes the raw cell (str, int, float, bool, date/datetime or None, as python-calamine
returns it) and returns the normalised value; it raises `CellError` with a message a submitter can act on.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

EMPTY_TOKENS = {"", "—", "-", "--", "/", "无", "N/A", "NA", "n/a", "null", "NULL", "空"}
TRUE_TOKENS = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "✔"}
FALSE_TOKENS = {"否", "N", "NO", "FALSE", "0", "×", "✗", "✘", "X"}
EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellError(ValueError):
    """The cell cannot be read as its field's type; the message is Chinese and actionable."""


def _text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return unicodedata.normalize("NFKC", str(cell)).strip()


def is_empty(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and _text(cell) in EMPTY_TOKENS)


def text(cell: object) -> str:
    return _text(cell)


def code(cell: object, length: int) -> str:
    """A fixed-length digit code. Zeros a spreadsheet dropped are restored from the fixed length."""
    if isinstance(cell, float) and not cell.is_integer():
        raise CellError(f"应为{length}位数字代码，请将该列设置为文本格式后重新填写")
    s = _text(cell)
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", s):
        raise CellError(f"该代码以科学计数法显示，已丢失数字：请将该列设置为文本格式后重新填写{length}位代码")
    if not s.isdigit() or len(s) > length:
        raise CellError(f"应为{length}位数字代码")
    return s.zfill(length)


def long_code(cell: object, length: int = 18) -> str:
    """An 18-character code (USCC, ID number). Never repaired: a number has lost digits."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        # Excel keeps 15 significant digits: an 18-digit code stored as a number is already damaged.
        raise CellError(f"该{length}位代码被存成了数字（科学计数法），后几位已丢失：请将该列设置为文本格式后重新填写")
    s = _text(cell).upper()
    if re.fullmatch(r"\d+(\.\d+)?E\+?\d+", s):
        raise CellError(f"该{length}位代码以科学计数法显示，后几位已丢失：请将该列设置为文本格式后重新填写")
    return s


def integer(cell: object) -> int:
    if isinstance(cell, bool):
        raise CellError("应为整数")
    if isinstance(cell, (int, float)):
        if float(cell).is_integer():
            return int(cell)
        raise CellError("应为整数，不能有小数")
    s = _text(cell).replace(",", "").replace("，", "")
    if re.fullmatch(r"[+-]?\d+(\.0+)?", s):
        return int(float(s))
    raise CellError("应为整数")


def number(cell: object) -> float:
    if isinstance(cell, bool):
        raise CellError("应为数值")
    if isinstance(cell, (int, float)):
        return float(cell)
    s = _text(cell).replace(",", "").replace("，", "")
    try:
        return float(s)
    except ValueError:
        raise CellError("应为数值") from None


def flag(cell: object) -> bool:
    if isinstance(cell, bool):
        return cell
    s = _text(cell).upper()
    if s in TRUE_TOKENS:
        return True
    if s in FALSE_TOKENS:
        return False
    raise CellError("应填“是”或“否”")


def enum(cell: object, values: tuple[str, ...]) -> str:
    s = _text(cell)
    if s not in values:
        raise CellError("应为以下之一：" + "、".join(values))
    return s


def date(cell: object) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if 1 <= cell < 2958466:  # Excel serial day numbers (1900 date system)
            return EXCEL_EPOCH + dt.timedelta(days=int(cell))
        raise CellError("日期无法识别，请填写如2026-10-08")
    s = _text(cell)
    m = re.fullmatch(r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?", s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    raise CellError("日期无法识别，请填写如2026-10-08")


def period(cell: object) -> str:
    if isinstance(cell, (dt.date, dt.datetime)):
        return f"{cell.year:04d}-{cell.month:02d}"
    s = _text(cell)
    m = re.fullmatch(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?(份)?", s)
    if m and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    raise CellError("报告期应为年月，如2026-10")
