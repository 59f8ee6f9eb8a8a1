"""Start gateway processes for tests the way an operator would: as separate programs."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# The installed console script of this interpreter's environment, as an operator runs it.
EDI_GATEWAY = (str(Path(sys.executable).with_name("edi-gateway")),)


def setting_variables(**settings: str) -> dict[str, str]:
    """``data_dir="/x"`` as ``{"EDI_GATEWAY_DATA_DIR": "/x"}``: settings as the gateway reads them."""
    return {f"EDI_GATEWAY_{name.upper()}": value for name, value in settings.items()}


def gateway_environment(data_dir: Path, **overrides: str) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("EDI_GATEWAY_")}
    environ.update(setting_variables(data_dir=str(data_dir), **overrides))
    return environ


def start(args: list[str], environ: dict[str, str], log: Path,
          program: Sequence[str] = EDI_GATEWAY) -> subprocess.Popen:
    """Run `edi-gateway ARGS`: by default this interpreter's, or ``program`` (e.g. another venv's script)."""
    handle = open(log, "wb")
    # A session of its own, so that kill() can end the process with all its children.
    return subprocess.Popen(
        [*program, *args], env=environ, stdout=handle, stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill(process: subprocess.Popen) -> None:
    """End a process and its children at once (a Celery worker's warm shutdown takes seconds)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def stop(process: subprocess.Popen, timeout: float = 20) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = condition()
        except Exception:  # not up yet: connection refused, table empty, ...
            result = None
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
