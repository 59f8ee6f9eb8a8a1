"""What the gateway writes under its data folder is 0600 (files) and 0700 (folders).

A real `edi-gateway run` under umask 022 (the usual default, which would leave everything
readable by every account on the host) makes the whole tree: database, keys, passphrase
and session secret, broker messages, beat schedule, metrics, message blobs. Then every
path in it must give group and others nothing. The gateway's own writers are checked
without the command's umask as well: they give their modes explicitly.
"""
from __future__ import annotations

import os
import signal
import socket
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from gateway.platform import db
from gateway.platform.private_files import private_folder
from gateway.platform.queue import prepare_broker
from gateway.platform.storage import INLINE_LIMIT, blob_path, body_columns
from tests.conftest import make_settings
from tests.support.processes import gateway_environment, start, wait_for


@contextmanager
def umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def open_to_others(root: Path) -> list[str]:
    """Every path under ``root`` (itself included) whose mode grants group or others anything."""
    paths = [root, *root.rglob("*")]
    return [f"{oct(stat.S_IMODE(path.lstat().st_mode))} {path.relative_to(root.parent)}"
            for path in paths if not path.is_symlink() and stat.S_IMODE(path.lstat().st_mode) & 0o077]


@pytest.mark.slow  # edi-gateway run: web, worker, beat and the sandbox IMS
def test_edi_gateway_run_keeps_its_data_folder_to_itself(tmp_path, free_port):
    data_dir = tmp_path / "data"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        ims_port = probe.getsockname()[1]
    environ = gateway_environment(tmp_path, sandbox_ims_port=str(ims_port))
    with umask(0o022):
        process = start(["run", "--data-dir", str(data_dir), "--port", str(free_port)], environ, tmp_path / "run.log")
    base = f"http://127.0.0.1:{free_port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/readyz").status_code == 200, 60, "/readyz")
        httpx.get(f"{base}/login")  # the web process's session secret
        assert httpx.post(f"{base}/diagnostics/heartbeat", headers={"X-Request-ID": "modes-1"}).status_code == 202
        wait_for(lambda: httpx.get(f"{base}/diagnostics/heartbeat/modes-1").json()["ran"], 60, "the heartbeat")
        # A body past the inline limit from an unknown sender: whatever of it the endpoint keeps is checked too.
        httpx.post(f"{base}/as2", content=os.urandom(INLINE_LIMIT + 1), timeout=30,
                   headers={"AS2-From": "STRANGER", "AS2-To": "X", "Message-ID": "<modes@test>",
                            "Content-Type": "application/pkcs7-mime"})
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=40)
    made = {path.relative_to(data_dir).parts[0] for path in data_dir.iterdir()}
    assert {"gateway.sqlite3", "keys", "secrets", "broker"} <= made, made
    assert (data_dir / "secrets" / "key-passphrase").exists() and (data_dir / "secrets" / "session-secret").exists()
    assert open_to_others(data_dir) == []


def test_the_gateways_own_writers_give_modes_without_the_commands_umask(tmp_path):
    settings = make_settings(tmp_path / "deep" / "data")
    with umask(0o022):
        db.upgrade(settings)  # the data folder and the SQLite file
        prepare_broker(settings)
        body = os.urandom(INLINE_LIMIT + 1)
        digest = body_columns(settings, body)["body_sha256"]
        private_folder(tmp_path / "made" / "by" / "hand")
    assert blob_path(settings, digest).read_bytes() == body
    assert open_to_others(tmp_path / "deep") == []
    assert open_to_others(tmp_path / "made") == []
    db.engine(settings).dispose()
