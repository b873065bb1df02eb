"""The quality gate: validate many parsed files in one GX run per table, and give each file its reasons.

GX costs ~0.1 s per validation and seconds to import, so files are validated as one batch with a
`source_file` column, and failures are mapped back to file, sheet, row and column.
"""
from __future__ import annotations

import logging
import os
from collections import defaultdict

from ingestion.read import ParsedFile, Problem
from ingestion.registry import tables

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
log = logging.getLogger(__name__)


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def validate(files: list[ParsedFile], period_of: dict[str, str]) -> dict[str, dict]:
    """Run every table's suite over the rows of all `files`.

    `period_of` maps a file's sha256 to the period it is collected for. Returns, per sha256,
    {"problems": [Problem], "results": [summary of each expectation run on that file]}.
    """
    import pandas as pd

    from expectations.suites import suite_for

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    verdicts: dict[str, dict] = {f.sha256: {"problems": [], "results": []} for f in files}
    by_table_period: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in files:
        for sheet in f.sheets.values():
            for row in sheet.rows:
                by_table_period[(sheet.definition.table, period_of[f.sha256])].append({**row, "source_file": f.sha256})
    if not by_table_period:
        return verdicts
    context = _context()
    source = context.data_sources.add_pandas("submissions")
    for (table, period), rows in by_table_period.items():
        frame = pd.DataFrame(rows)
        asset = source.add_dataframe_asset(f"{table}_{period}")
        batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
        suite = suite_for(table, period)
        result = batch.validate(
            suite,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["source_file", "source_sheet", "source_row"]},
        )
        definition = tables()[table]
        files_in_batch = set(frame["source_file"])
        for r in result.results:
            meta = r.expectation_config.meta or {}
            failed: dict[str, int] = defaultdict(int)
            for hit in r.result.get("unexpected_index_list") or []:
                field = next((f for f in definition.fields if f.name == meta.get("field")), None)
                verdicts[hit["source_file"]]["problems"].append(
                    Problem(hit["source_sheet"], int(hit["source_row"]), field.header if field else meta.get("field"), meta.get("rule", r.expectation_config.type), meta.get("message", ""))
                )
                failed[hit["source_file"]] += 1
            for sha in files_in_batch:
                # Only counts and rule ids are kept: never a cell value (it could be personal data).
                verdicts[sha]["results"].append({
                    "suite": suite.name, "expectation": r.expectation_config.type, "rule": meta.get("rule"),
                    "column": meta.get("field"), "success": failed[sha] == 0, "unexpected_count": failed[sha],
                })
    return verdicts
