"""indicators.sdmx.csv: SDMX-CSV 2.0 for dataflow CHANJIAO:DF_IEI(1.0) (interface.md).

The structure is declared once, as a pysdmx Schema, and pysdmx's own SDMX-CSV 2.0 writer lays the
file out from it: STRUCTURE, STRUCTURE_ID, ACTION, then the dimensions, the measure and the
attributes, UTF-8 without BOM, one observation a row. pysdmx does not check codes against code lists
when writing, so that is done here before anything is written.
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
    unit_codelist = codes("CL_UNIT_MEASURE", "CHANJIAO", {"PT": "Percent", "CNY": "Yuan renminbi", "NUMBER": "Number"})
    return Schema(
        context="dataflow", agency="CHANJIAO", id="DF_IEI", version="1.0", name="产教融合指标 Industry-education integration indicators",
        components=Components([
            component("INDICATOR", Role.DIMENSION, True),
            component("REF_AREA", Role.DIMENSION, True),
            component("TIME_PERIOD", Role.DIMENSION, True),
            # optional, so a missing value is an empty cell (with OBS_STATUS=O), not pysdmx's "NaN"
            component("OBS_VALUE", Role.MEASURE, False, dtype=DataType.DOUBLE),
            component("UNIT_MEASURE", Role.ATTRIBUTE, True, unit_codelist),
            component("OBS_STATUS", Role.ATTRIBUTE, True, obs_status_codes),
            component("REVISED", Role.ATTRIBUTE, True, revised_codes),
        ]),
    )


def obs_status(value: object, expected: object, accepted: object) -> str:
    """O where there is no value; P where the reporting frame says units are still missing (the value
    will move when they report); A otherwise, including where no frame is in force. Takes the values
    as the warehouse has them or as a release's indicators.csv spells them, so revisions.py can
    derive an earlier version's status the same way."""
    if value is None or value == "":
        return "O"
    if expected not in (None, "") and float(accepted or 0) < float(expected):
        return "P"
    return "A"


def observations(values: list[dict], revised: set[tuple[str, str]]) -> list[dict]:
    return [{
        "INDICATOR": v["indicator"], "REF_AREA": v["region"], "TIME_PERIOD": v["period"], "OBS_VALUE": v["value"],
        "UNIT_MEASURE": UNIT_CODES[v["unit"]],
        "OBS_STATUS": obs_status(v["value"], (v["coverage"] or {}).get("expected"), (v["coverage"] or {}).get("accepted")),
        "REVISED": "Y" if (v["indicator"], v["region"]) in revised else "N",
    } for v in values]


def write_sdmx_csv(path: Path, values: list[dict], revised: set[tuple[str, str]]) -> None:
    import pandas as pd
    from pysdmx.io.csv.sdmx20.writer import write
    from pysdmx.io.pd import PandasDataset
    from pysdmx.model.dataset import ActionType

    schema = structure()
    rows = observations(values, revised)
    for row in rows:  # the codes must be those the structure declares
        for component in schema.components:
            if component.local_codes is not None and row[component.id] not in {c.id for c in component.local_codes}:
                raise ValueError(f"{component.id}={row[component.id]!r} is not a code of {component.local_codes.id}")
    # object dtype keeps each value as the warehouse gave it (pysdmx writes str(value)), so OBS_VALUE is
    # spelled exactly as in indicators.csv: a float column would turn an integer count into "3.0"
    data = pd.DataFrame(rows, columns=[c.id for c in schema.components], dtype=object)
    dataset = PandasDataset(structure=schema, data=data, action=ActionType.Information)
    path.write_text(write([dataset]), encoding="utf-8", newline="")
