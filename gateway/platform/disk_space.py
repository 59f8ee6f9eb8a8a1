"""The free-disk floor: below it the gateway takes nothing new in rather than fill the disk.

A full disk breaks every write at once (the database, the blobs, the broker folder), and
part-written state is worse than a refusal a partner retries. ``/as2`` answers 503 with
Retry-After below the floor (AS2 senders retry a 5xx) and ``/readyz`` names it.
"""
from __future__ import annotations

import shutil

from gateway.platform.config import Settings

MIB = 1024 * 1024


class LowDiskSpace(RuntimeError):
    """Free space under the data folder is below ``EDI_GATEWAY_MIN_FREE_DISK_MB``."""


def shortage(free_bytes: int, floor_mb: int) -> str | None:
    """Why ``free_bytes`` is too little for a floor of ``floor_mb`` MiB, or None."""
    if free_bytes >= floor_mb * MIB:
        return None
    return f"{free_bytes // MIB} MiB free under the data folder, below EDI_GATEWAY_MIN_FREE_DISK_MB={floor_mb}"


def check_free_disk(settings: Settings) -> None:
    """Raise :class:`LowDiskSpace` when the data folder's file system is below the floor."""
    problem = shortage(shutil.disk_usage(settings.data_dir).free, settings.min_free_disk_mb)
    if problem is not None:
        raise LowDiskSpace(problem)
