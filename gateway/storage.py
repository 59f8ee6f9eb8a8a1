"""Where message bodies live: in the row when small, in a content-addressed file when large.

A file is written to a temporary name, flushed to disk and renamed before the row that
names it is committed, so a committed row never points at a missing or partial file.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from gateway.config import Settings
from gateway.models import Message

INLINE_LIMIT = 256 * 1024


def attach_body(settings: Settings, message: Message, body: bytes) -> None:
    """Fill ``message``'s body columns, writing a blob file first when the body is large."""
    digest = hashlib.sha256(body).hexdigest()
    message.body_sha256 = digest
    message.body_size = len(body)
    if len(body) <= INLINE_LIMIT:
        message.body = body
        return
    message.body = None
    path = blob_path(settings, digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)


def read_body(settings: Settings, message: Message) -> bytes:
    if message.body is not None:
        return message.body
    return blob_path(settings, message.body_sha256).read_bytes()


def blob_path(settings: Settings, digest: str) -> Path:
    return settings.blob_dir / digest[:2] / digest[2:4] / digest
