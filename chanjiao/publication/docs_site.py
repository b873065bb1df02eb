"""docs/index.html: the dbt documentation site of the code version that built the release.

`dbt docs generate --static` puts the manifest and catalog inside one HTML file, so the copy opens
offline from the release folder. `chanjiao build` writes it after every build on DuckDB
(chanjiao.build.generate_docs_site); a publish copies that file, and generates it only when the
warehouse was built without one (a build by an earlier version, or one stopped after dbt). The
caller holds the warehouse's writer lock because dbt-duckdb opens the file for writing.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from chanjiao.build import docs_site, generate_docs_site
from chanjiao.files import replacing
from chanjiao.settings import Settings


def write_docs_site(settings: Settings, folder: Path) -> Path:
    site = docs_site(settings)
    if not site.exists():
        generate_docs_site(settings)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "index.html"
    with replacing(target) as tmp:
        shutil.copyfile(site, tmp)
    return target
