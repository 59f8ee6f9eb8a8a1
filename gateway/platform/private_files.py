"""What the gateway writes is its own: files 0600 and folders 0700, whoever else shares the host.

The data folder holds partners' orders, our private keys and the passphrase protecting
them, the session secret and the database. Under the usual umask 022 every file there
would be readable by every account on the machine. Much of it is written by code that
takes no mode (SQLite, Celery's filesystem broker, beat's schedule, prometheus-client),
so the process umask, set once as ``edi-gateway`` starts, is the control that reaches
all of it; the gateway's own writers also give modes explicitly, so a library user or a
test that never ran the command gets the same.
"""
from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def make_new_files_private() -> None:
    """Every file and folder this process and its children create: no access for group or others."""
    os.umask(PRIVATE_UMASK)


def private_folder(path: Path) -> Path:
    """``path`` and any missing parents, each created 0700 (``mkdir``'s mode reaches only the last)."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
    return path


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists, for a library that then opens it (SQLite)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
