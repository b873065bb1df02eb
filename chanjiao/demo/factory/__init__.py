"""The submissions factory: synthetic submissions of every kind, valid or broken, for any region, of any
size, with the mess of real ones — deterministic from a seed. The demo, the tests and the benchmarks all
take their files from here (tests/valid_submissions.py stays an independent generator on purpose).

    from chanjiao.demo import factory as fx

    fx.write("school_workbook", path, data, mess=fx.Mess.random(rng), received=ts)   # any kind, any format
    fx.school(code, name, region, level, period, fx.roster(40, 28), ["9141…"])       # hand-made rows
    fx.hebi.city_month(folder, "2026-10", school_count=50)                          # a clean city month
    fx.province_month(folder, "2026-10", "410000", scale=1, workers=2)              # a whole province
    fx.broken(data, "dual_not_professional", rng)                                    # one mistake
    fx.specimens.ALL["carriers"]()                                                   # every field, fixed values

Modules: codes (USCC, ID numbers, GB/T 2260 regions, names), rows (hand-made and seeded rows),
specimens, files (template / grid / fast writers, Mess), broken (mistakes), hebi (鹤壁市's cast and
months), bulk (a province month).
"""
from chanjiao.demo.factory import (
                                         codes,
                                         files,
                                         hebi,  # noqa: E402  (after files: it writes through them)
                                         rows,
                                         specimens,
)
from chanjiao.demo.factory.broken import BREAKAGES, applies, broken
from chanjiao.demo.factory.bulk import Month, province_month  # noqa: E402
from chanjiao.demo.factory.codes import counties, id_number, month_label, period_end, person, random_uscc, region_name, spoil, uscc
from chanjiao.demo.factory.files import Mess, Sheet, Written, grid, sheets, write, write_csv, write_xls, write_xlsx, write_xlsx_fast
from chanjiao.demo.factory.rows import School, cooperation, register_of, roster, row_count, school, workbook

__all__ = [
    "BREAKAGES", "Mess", "Month", "School", "Sheet", "Written", "applies", "broken", "codes", "cooperation", "counties", "files",
    "grid", "hebi", "id_number", "month_label", "period_end", "person", "province_month", "random_uscc", "region_name",
    "register_of", "roster", "row_count", "rows", "school", "sheets", "specimens", "spoil", "uscc", "workbook", "write",
    "write_csv", "write_xls", "write_xlsx", "write_xlsx_fast",
]
