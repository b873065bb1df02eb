"""Cell → typed values, one converter per field: text, numbers, dates, codes checked against their
standards (GB 32100, GB 11643, GB/T 2260), enumerations, money scaled to the field's unit, and personal
data hashed (`ingestion.pii`), so no raw personal value leaves the reader."""
from __future__ import annotations

from ingestion import codes, normalise
from ingestion.registry import Field, units


def convert_column(convert, cells: list, width: int, remember: bool = True) -> tuple[list[tuple], list[tuple[int, normalise.CellError]]]:
    """Each cell's values (a tuple of `width`; all None for a cell that cannot be read) and, by position,
    the errors. The result of a str or a non-zero float is kept for the cells after it with the same
    value: equal values of those types convert alike (unlike 0.0 and -0.0, or 1 and True, which compare
    equal; neither is cached)."""
    values: list[tuple] = []
    failed: list[tuple[int, normalise.CellError]] = []
    seen: dict = {}
    unreadable = (None,) * width
    for j, cell in enumerate(cells):
        kind = cell.__class__
        if remember and (kind is str or (kind is float and cell)):
            result = seen.get(cell)
            if result is None:
                try:
                    result = convert(cell)
                except normalise.CellError as err:
                    result = err
                seen[cell] = result
        else:
            try:
                result = convert(cell)
            except normalise.CellError as err:
                result = err
        if result.__class__ is tuple:
            values.append(result)
        else:
            failed.append((j, result))
            values.append(unreadable)
    return values, failed


SIMPLE = {"text": normalise.text, "int": normalise.integer, "ratio": normalise.ratio, "flag": normalise.flag,
          "date": normalise.date, "period": normalise.period, "month": normalise.month, "year": normalise.year,
          "submitter_code": normalise.submitter_code}


def converter(f: Field, hash_pii, unit: str | None = None):
    """cell → the values of the field's columns (in `f.columns` order); an empty cell gives the
    field's default."""
    empty = tuple(f.default if c == f.name else None for c in f.columns)
    parse = _parser(f, hash_pii, unit)
    text_or_none = normalise.text_or_none

    if f.type == "pii":
        def pii(cell: object) -> tuple:
            # personal data is free text: its text, normalised once, is what is hashed
            if cell.__class__ is str:
                text = text_or_none(cell)
                return empty if text is None else (hash_pii(text),)
            if cell is None or cell == "":
                return empty
            normalise.refuse_error_value(cell)
            return empty if normalise.is_empty(cell) else parse(cell)
        return pii

    def convert(cell: object) -> tuple:
        kind = cell.__class__
        if kind is str:
            return empty if text_or_none(cell) is None else parse(cell)
        if kind is float or kind is int or kind is bool:
            return parse(cell)  # only text can be empty or a formula error
        if cell is None or cell == "":
            return empty
        normalise.refuse_error_value(cell)
        return empty if normalise.is_empty(cell) else parse(cell)

    return convert


def _parser(f: Field, hash_pii, unit: str | None):
    """cell (not empty) → the values of one field's columns, for its type."""
    if f.type == "pii":
        return lambda cell: (hash_pii(normalise.text(cell)),)
    if f.type == "id_number":
        def id_number(cell: object) -> tuple:
            value = normalise.long_code(cell)
            holdable = codes.id_number_holdable_from(value)
            if holdable is None:
                normalise.refuse_scientific(value)  # only a value that fails GB 11643 can be Excel's display
            # the verdict waits for the period's end (`ingestion.identify`): the day the number could first be held
            return hash_pii(value), holdable or False
        return id_number
    if f.type == "uscc":
        def uscc(cell: object) -> tuple:
            value = normalise.long_code(cell)
            valid = codes.uscc_is_valid(value)
            if not valid:
                normalise.refuse_scientific(value)  # 91410603E448801280 passes GB 32100: it is that code
            return value, valid
        return uscc
    if f.type == "region":
        return lambda cell: (normalise.code(cell, 6), None)  # judged once the period is known
    if f.type == "code":
        return lambda cell: (normalise.code(cell, f.length or 0),)
    if f.type == "enum":
        return lambda cell: (normalise.enum(cell, f.values, f.aliases),)
    if f.type == "number" and f.unit:
        return lambda cell: (normalise.scale(normalise.number(cell), unit, f.unit, units()["money"]),)
    if f.type == "number":
        return lambda cell: (normalise.number(cell),)
    simple = SIMPLE[f.type]
    return lambda cell: (simple(cell),)
