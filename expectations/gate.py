"""The quality gate: validate many parsed files in one GX run per table, and give each file its verdict.

GX costs ~0.1 s per validation and seconds to import, so files are validated as one batch with a
`source_file` column, and failures are mapped back to file, sheet, row and column. An expectation of
severity `warning` reports without rejecting; every other failure rejects the file.
"""
from __future__ import annotations

import logging
from collections import defaultdict

from ingestion.parsed import ParsedFile, Problem
from ingestion.registry import tables

log = logging.getLogger(__name__)
INDEX_COLUMNS = ["source_file", "source_sheet", "source_row"]


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _frames(files: list[ParsedFile], period_of: dict[str, str]):
    """(suite, DataFrame) per table and period: all files' rows of that table in one frame."""
    import pandas as pd

    from expectations.suites import suite_for

    rows: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in files:
        for sheet in f.sheets.values():
            for row in sheet.rows:
                rows[(sheet.definition.table, period_of[f.sha256])].append({**row, "source_file": f.sha256})
    for (table, period), table_rows in rows.items():
        yield suite_for(table, period), pd.DataFrame(table_rows)


def validate(files: list[ParsedFile], period_of: dict[str, str], batch_frames: list | None = None) -> dict[str, dict]:
    """Run every table's suite over the rows of all `files`, then the batch rules' suites.

    `period_of` maps a file's sha256 to the period it is collected for; `batch_frames` holds
    (suite, DataFrame) pairs of rules across files and periods (expectations.batch_rules). Returns, per
    sha256, {"problems": [...], "warnings": [...], "results": [summary of each expectation on that file]}.
    """
    import pandas as pd

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    verdicts: dict[str, dict] = {f.sha256: {"problems": [], "warnings": [], "results": []} for f in files}
    work = [*_frames(files, period_of), *(batch_frames or [])]
    if not work:
        return verdicts
    source = _context().data_sources.add_pandas("submissions")
    for n, (suite, frame) in enumerate(work):
        if frame.empty:
            continue
        batch = source.add_dataframe_asset(f"{suite.name}_{n}").add_batch_definition_whole_dataframe("all").get_batch(
            batch_parameters={"dataframe": frame}
        )
        result = batch.validate(suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS})
        definition = tables().get(suite.name)
        files_in_batch = set(frame["source_file"])
        for r in result.results:
            config = r.expectation_config
            meta = config.meta or {}
            severity = "warning" if str(getattr(config, "severity", "")).lower().endswith("warning") else "error"
            field = next((f for f in definition.fields if f.name == meta.get("field")), None) if definition else None
            failed: dict[str, int] = defaultdict(int)
            for hit in r.result.get("unexpected_index_list") or []:
                row = hit.get("source_row")
                problem = Problem(hit.get("source_sheet"), None if pd.isna(row) else int(row),
                                  field.header if field else meta.get("column"), meta.get("rule", config.type), meta.get("message", ""))
                verdicts[hit["source_file"]]["warnings" if severity == "warning" else "problems"].append(problem)
                failed[hit["source_file"]] += 1
            for sha in files_in_batch:
                # Only counts and rule ids are kept: never a cell value (it could be personal data).
                verdicts[sha]["results"].append({
                    "suite": suite.name, "expectation": config.type, "rule": meta.get("rule"), "severity": severity,
                    "column": meta.get("field"), "success": failed[sha] == 0, "unexpected_count": failed[sha],
                })
    return verdicts
