"""What a submitted file may cost: the limits the precheck (`ingestion.precheck`) and the reader
workers (`ingestion.isolation`) enforce. Defaults follow the spec ("Limits (files are untrusted)").

Every limit is configuration: `chanjiao.settings` builds them from the environment with `Limits.from_mapping`, which reads
CHANJIAO_LIMIT_<FIELD> (e.g. CHANJIAO_LIMIT_MAX_FILE_BYTES=104857600).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from ingestion.setting import number

KB = 1 << 10
MB = 1 << 20
GiB = 1 << 30

CHUNK = 1 << 20  # read and inflate in 1 MB steps: memory stays bounded whatever the file claims


@dataclass(frozen=True)
class Limits:
    """What a submitted file may cost. Defaults follow the spec ("Limits (files are untrusted)")."""

    max_file_bytes: int = 50 * MB
    max_inflated_bytes: int = 300 * MB  # all zip entries together, counted as really inflated
    max_entry_ratio: float = 100.0  # per zip entry, inflated : compressed ...
    ratio_min_bytes: int = 512 * KB  # ... applied only once an entry inflates past this (tiny parts compress absurdly well)
    max_zip_entries: int = 2000  # Excel writes a few dozen; thousands of images would still fit
    max_cells: int = 20_000_000  # cells the sheets span in total (the reader densifies rows x columns; ~0.9 GB at 20M)
    timeout_seconds: float = 120.0  # per file, precheck + parsing, in a worker process
    worker_memory_bytes: int = 2 * GiB  # RLIMIT_AS of each worker process

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> Limits:
        """Defaults, overridden by CHANJIAO_LIMIT_<FIELD> in `mapping` (plain numbers greater than 0; '_'
        allowed as a separator). A value that is not such a number raises `ingestion.setting.SettingError`."""
        return cls(**{f.name: number(mapping, f"CHANJIAO_LIMIT_{f.name.upper()}", f.default) for f in fields(cls)})
