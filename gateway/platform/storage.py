"""Where message bytes live: in the row when small, in a content-addressed file when large.

A file is written to a temporary name, flushed to disk and renamed before the row that
names it is committed, so a committed row never points at a missing or partial file.
Both the wire body and the decrypted payload of a message are kept this way.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from gateway.platform.config import Settings
from gateway.platform.private_files import FILE_MODE, private_folder
from gateway.models import Message

INLINE_LIMIT = 256 * 1024
# What is kept of a body from a sender not (yet) shown to be a partner: enough to see
# what it was, never enough to fill the disk.
UNTRUSTED_KEPT = 64 * 1024


def attach_body(settings: Settings, message: Message, body: bytes) -> None:
    """Keep the bytes as they crossed the wire."""
    for name, value in body_columns(settings, body).items():
        setattr(message, name, value)


def attach_payload(settings: Settings, message: Message, payload: bytes) -> None:
    """Keep the document inside the message (decrypted, verified, decompressed)."""
    for name, value in payload_columns(settings, payload).items():
        setattr(message, name, value)


def body_columns(settings: Settings, body: bytes) -> dict[str, object]:
    """The ``message`` columns that keep a body, for a Core insert (the AS2 hot path)."""
    inline, digest = _store(settings, body)
    return {"body": inline, "body_sha256": digest, "body_size": len(body)}


def untrusted_body_columns(body: bytes) -> dict[str, object]:
    """The ``message`` columns for a stranger's body: its first ``UNTRUSTED_KEPT`` bytes in
    the row, with the size and sha256 of the whole (see :func:`body_is_partial`)."""
    return {"body": body[:UNTRUSTED_KEPT], "body_sha256": hashlib.sha256(body).hexdigest(), "body_size": len(body)}


def body_is_partial(message: Message) -> bool:
    """Was only the start of this message's body kept (:func:`untrusted_body_columns`)?"""
    return message.body is not None and message.body_size is not None and len(message.body) < message.body_size


def forget_blob(settings: Settings, digest: str, in_use: bool) -> None:
    """Remove the file that holds ``digest`` unless ``in_use`` (another row names it)."""
    if not in_use:
        blob_path(settings, digest).unlink(missing_ok=True)


def payload_columns(settings: Settings, payload: bytes) -> dict[str, object]:
    """The ``message`` columns that keep a payload, for a Core update."""
    inline, digest = _store(settings, payload)
    return {"payload": inline, "payload_sha256": digest}


def read_body(settings: Settings, message: Message) -> bytes:
    if message.body_sha256 is None:  # an outbound message is built by its first send
        raise ValueError(f"message {message.id} has no body yet")
    if body_is_partial(message):
        raise ValueError(f"message {message.id} kept only the first {len(message.body or b'')} bytes of its body")
    return _load(settings, message.body, message.body_sha256)


def read_payload(settings: Settings, message: Message) -> bytes | None:
    if message.payload_sha256 is None:
        return None
    return _load(settings, message.payload, message.payload_sha256)


def blob_path(settings: Settings, digest: str) -> Path:
    return settings.blob_dir / digest[:2] / digest[2:4] / digest


def _store(settings: Settings, data: bytes) -> tuple[bytes | None, str]:
    """Returns what to keep in the row (``None`` when the bytes went to a file) and the digest."""
    digest = hashlib.sha256(data).hexdigest()
    if len(data) <= INLINE_LIMIT:
        return data, digest
    path = blob_path(settings, digest)
    if not path.exists():
        private_folder(path.parent)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    return None, digest


def _load(settings: Settings, inline: bytes | None, digest: str) -> bytes:
    return inline if inline is not None else blob_path(settings, digest).read_bytes()
