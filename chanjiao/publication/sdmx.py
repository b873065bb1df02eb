"""indicators.sdmx.csv: SDMX-CSV 2.1 for dataflow CHANJIAO:DF_IEI(1.0) (interface.md).

The structure is declared once, as a pysdmx Schema, and pysdmx's own SDMX-CSV 2.1 writer lays the
file out from it: STRUCTURE, STRUCTURE_ID, ACTION, then the dimensions, the measure and the
attributes, UTF-8 without BOM, one observation a row. pysdmx does not check codes against code lists
when writing, so that is done here before anything is written.

SDMX-CSV 2.1 (SDMX 3.1; sdmx-twg/sdmx-csv issue #27, pull request #31 "review action types and
missing values"), which a receiving bureau's SDMX system applies row by row:
- ACTION: "I" (Information) and "A" (Append) are deprecated (SDMX 3.1 Section 3A Part IV, 4.1 Data
  Actions: "the former Append and Information actions are deprecated"); the live ones are M (Merge),
  R (Replace) and D (Delete). Each row here is a whole observation of this version of the period,
  meant to supersede what an earlier version said of it, which is Replace: "existing observations are
  to be fully replaced". Merge would do the same for rows as complete as these, but R is also what
  SDMX-CSV 2.0 readers accept (sdmx1, pysdmx's 2.0 reader), which still refuse "M".
- Missing values: an empty field means the component is omitted — "not to be changed" under Merge,
  and not a statement that the value is missing. A value missing on purpose is written out: "NaN" for
  a numeric (float/double) component, "#N/A" for any other (SDMX 3.1, "intentionally missing values",
  sdmx-twg/sdmx-ml pull request #48, sdmx-twg/sdmx-json issue #122). OBS_VALUE is a double, so a value
  that does not exist (OBS_STATUS O) or is withheld (CONF_STATUS C) is "NaN": a receiver that held an
  earlier version's figure drops it instead of keeping it. pysdmx writes these markers for the
  components declared required, so every component is.
"""
from __future__ import annotations

import functools
from pathlib import Path

# Units as in SDMX's cross-domain CL_UNIT_MEASURE where it has them: PT percent, CNY yuan; counts of
# enterprises (家) and carriers (个) are plain numbers.
UNIT_CODES = {"%": "PT", "元": "CNY", "家": "NUMBER", "个": "NUMBER"}


@functools.cache
def structure():
    """The dataflow's pysdmx Schema. pysdmx (and the pandas it loads) takes ~2 s to import, and every
    CLI command imports the release through its use cases: only writing a release pays for it."""
    from pysdmx.model import Code, Codelist, Component, Components, Concept, DataType, Role, Schema

    def codes(id_: str, agency: str, items: dict[str, str]) -> Codelist:
        return Codelist(id=id_, agency=agency, items=[Code(id=k, name=v) for k, v in items.items()])

    def component(id_: str, role: Role, required: bool, local: Codelist | None = None, dtype: DataType = DataType.STRING) -> Component:
        return Component(id=id_, required=required, role=role, concept=Concept(id=id_, dtype=dtype), local_codes=local,
                         attachment_level="O" if role == Role.ATTRIBUTE else None)

    # CL_OBS_STATUS is SDMX's own code list; only the three codes the release uses are listed.
    obs_status_codes = codes("CL_OBS_STATUS", "SDMX", {"A": "Normal value", "P": "Provisional value", "O": "Missing value"})
    revised_codes = codes("CL_REVISED", "CHANJIAO", {"Y": "Revised since the previous version", "N": "Not revised"})
    # CL_CONF_STATUS: F free, C confidential (small cells and the cells withheld with them)
    conf_status_codes = codes("CL_CONF_STATUS", "SDMX", {"F": "Free", "C": "Confidential statistical information"})
    unit_codelist = codes("CL_UNIT_MEASURE", "CHANJIAO", {"PT": "Percent", "CNY": "Yuan renminbi", "NUMBER": "Number"})
    return Schema(
        context="dataflow", agency="CHANJIAO", id="DF_IEI", version="1.0", name="产教融合指标 Industry-education integration indicators",
        components=Components([
            component("INDICATOR", Role.DIMENSION, True),
            component("REF_AREA", Role.DIMENSION, True),
            component("TIME_PERIOD", Role.DIMENSION, True),
            # required, so a value missing on purpose is SDMX-CSV 2.1's "NaN", not an empty (omitted) field
            component("OBS_VALUE", Role.MEASURE, True, dtype=DataType.DOUBLE),
            component("UNIT_MEASURE", Role.ATTRIBUTE, True, unit_codelist),
            component("OBS_STATUS", Role.ATTRIBUTE, True, obs_status_codes),
            component("REVISED", Role.ATTRIBUTE, True, revised_codes),
            component("CONF_STATUS", Role.ATTRIBUTE, True, conf_status_codes),
        ]),
    )


def observations(rows: list[dict], revised: set[tuple[str, str]]) -> list[dict]:
    """One observation per public indicator row (csv_files.indicator_rows): a withheld value has no
    OBS_VALUE (written "NaN") and CONF_STATUS C (interface.md; SDMX CL_CONF_STATUS), every other one F."""
    return [{
        "INDICATOR": r["indicator"], "REF_AREA": r["region"], "TIME_PERIOD": r["period"],
        "OBS_VALUE": None if r["conf_status"] == "C" or r["value"] in (None, "") else r["value"],
        "UNIT_MEASURE": UNIT_CODES[r["unit"]], "OBS_STATUS": r["obs_status"],
        "REVISED": "Y" if (r["indicator"], r["region"]) in revised else "N", "CONF_STATUS": r["conf_status"],
    } for r in rows]


def write_sdmx_csv(path: Path, rows: list[dict], revised: set[tuple[str, str]]) -> None:
    import pandas as pd
    from pysdmx.io.csv.sdmx21.writer import write
    from pysdmx.io.pd import PandasDataset
    from pysdmx.model.dataset import ActionType

    schema = structure()
    rows = observations(rows, revised)
    for row in rows:  # the codes must be those the structure declares
        for component in schema.components:
            if component.local_codes is not None and row[component.id] not in {c.id for c in component.local_codes}:
                raise ValueError(f"{component.id}={row[component.id]!r} is not a code of {component.local_codes.id}")
    # pysdmx casts each column to the structure's type (OBS_VALUE to double: a count 3 is written "3.0")
    data = pd.DataFrame(rows, columns=[c.id for c in schema.components], dtype=object)
    dataset = PandasDataset(structure=schema, data=data, action=ActionType.Replace)
    path.write_text(write([dataset]), encoding="utf-8", newline="")
