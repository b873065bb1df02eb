"""docs/index.html: the dbt documentation site of the code version that built the release.

`dbt docs generate --static` puts the manifest and catalog inside one HTML file, so the copy opens
offline from the release folder. It runs with the same profiles and target as `chanjiao build`
(chanjiao.build.dbt); the caller holds the warehouse's writer lock because dbt-duckdb opens the file for writing.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from chanjiao.build import BuildError, dbt
from chanjiao.files import replacing
from chanjiao.settings import Settings


def write_docs_site(settings: Settings, folder: Path) -> Path:
    result = dbt(settings, "docs", "generate", "--static", "--target", "duckdb")
    if result.returncode != 0:
        raise BuildError(f"dbt docs generate failed (exit {result.returncode}); see the dbt log above")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "index.html"
    with replacing(target) as tmp:
        shutil.copyfile(settings.dbt_target_dir / "static_index.html", tmp)
    return target
