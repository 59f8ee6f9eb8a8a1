"""``edi-gateway run``: web, worker and beat as three child processes, stopped together.

Each child is this same program with another sub-command, so it reads the same
environment (plus ``environment``: e.g. the sandbox IMS's URL and tokens, with the sandbox
IMS as a fourth child). When one child dies, or on Ctrl-C / SIGTERM, all are stopped: a
gateway with a dead worker would accept messages that nothing processes.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping

import structlog

log = structlog.get_logger("gateway.platform.runner")

ROLES = ("serve", "worker", "beat")
GRACE_SECONDS = 15
# On one machine, receiving (the partner waits for its MDN) comes before processing
# (which only has to keep up over minutes): the worker yields the CPU to the web
# server during a burst and works through the queue in the time left over.
LOWER_PRIORITY_ROLES = {"worker": 10}


def run_together(roles: tuple[str, ...] = ROLES, *, extra: Mapping[str, list[str]] | None = None,
                 environment: Mapping[str, str] | None = None) -> int:
    """Run ``roles`` and the ``extra`` commands (name -> `edi-gateway` arguments) until one ends."""
    stopping = False

    def request_stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    commands = {**(extra or {}), **{role: [role] for role in roles}}
    env = {**os.environ, **(environment or {})}
    children = {name: subprocess.Popen([sys.executable, "-m", "gateway.cli", *args], env=env,
                                       preexec_fn=_niceness(LOWER_PRIORITY_ROLES.get(name, 0)))
                for name, args in commands.items()}
    log.info("started", processes={role: child.pid for role, child in children.items()})
    exit_code = 0
    while not stopping:
        time.sleep(0.2)
        ended = {role: child.returncode for role, child in children.items() if child.poll() is not None}
        if ended:
            log.error("process ended, stopping the others", ended=ended)
            exit_code = 1
            break
    _stop(children)
    return exit_code


def _niceness(increment: int):
    """What a child runs before it starts: lower its CPU priority by ``increment``."""
    return (lambda: os.nice(increment)) if increment else None


def _stop(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for role, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("killing process that did not stop in time", role=role)
            child.kill()
            child.wait()
    log.info("stopped")
