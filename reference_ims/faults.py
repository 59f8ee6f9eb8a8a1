"""TEST-ONLY fault injection: makes the reference IMS fail the way real ones do.

Installed only when the service starts with ``faults=True`` (``--faults``); without it
``/_faults`` does not exist. ``POST /_faults`` (bearer token as for the API) arms one mode:

- ``{"mode": "down", "count": N}``: the next N requests answer 503.
- ``{"mode": "down_for_seconds", "seconds": S}``: every request answers 503 for S seconds.
- ``{"mode": "commit_then_timeout", "count": N, "delay_seconds": D}``: the next N
  successful order writes (create, change, cancel) are committed, then answered only
  after D seconds (default 10), longer than a client's timeout: the client sees a
  timeout although the order exists, which is what idempotent retries must survive.

Arming a mode replaces the previous one.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, Response, request

from reference_ims.payloads import InvalidPayload

MODES = ("down", "down_for_seconds", "commit_then_timeout")
DEFAULT_DELAY_SECONDS = 10.0


@dataclass
class _Armed:
    mode: str
    remaining: int = 0  # down, commit_then_timeout
    until: float = 0.0  # down_for_seconds (time.monotonic)
    delay_seconds: float = DEFAULT_DELAY_SECONDS


class FaultInjector:
    """The armed fault, shared by the request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: _Armed | None = None

    def arm(self, armed: _Armed) -> None:
        with self._lock:
            self._armed = armed

    def refuse_request(self) -> bool:
        """True when this request should be answered 503 (uses up one ``down`` count)."""
        with self._lock:
            armed = self._armed
            if armed is None:
                return False
            if armed.mode == "down_for_seconds":
                return time.monotonic() < armed.until
            if armed.mode == "down" and armed.remaining > 0:
                armed.remaining -= 1
                return True
            return False

    def delay_after_commit(self) -> float:
        """Seconds to hold back this committed order write (uses up one count), else 0."""
        with self._lock:
            armed = self._armed
            if armed is None or armed.mode != "commit_then_timeout" or armed.remaining <= 0:
                return 0.0
            armed.remaining -= 1
            return armed.delay_seconds


def install_faults(app: Flask, problem: Callable[[int, str], Response]) -> None:
    """Add ``/_faults`` and the hooks that act on it. Call before any other before_request
    hook, so a 'down' IMS refuses before it even checks the token."""
    injector = FaultInjector()
    blueprint = Blueprint("faults", __name__)

    @blueprint.post("/_faults")
    def arm() -> Response:
        injector.arm(_parse(request.get_json(silent=True)))
        return Response(status=204)

    @app.before_request
    def refuse() -> Response | None:
        if request.path != "/_faults" and injector.refuse_request():
            return problem(503, "the IMS is down (fault injection)")
        return None

    @app.after_request
    def hold_back(response: Response) -> Response:
        order_write = request.method in ("POST", "PATCH") and request.path.startswith("/api/v1/sales-orders")
        if order_write and response.status_code < 300:
            time.sleep(injector.delay_after_commit())
        return response

    app.register_blueprint(blueprint)


def _parse(body: object) -> _Armed:
    if not isinstance(body, dict) or body.get("mode") not in MODES:
        raise InvalidPayload([("/mode", f"must be one of {', '.join(MODES)}")])
    mode = body["mode"]
    if mode == "down_for_seconds":
        return _Armed(mode, until=time.monotonic() + _number(body, "seconds"))
    armed = _Armed(mode, remaining=int(_number(body, "count")))
    if "delay_seconds" in body:
        armed.delay_seconds = _number(body, "delay_seconds")
    return armed


def _number(body: dict, name: str) -> float:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidPayload([(f"/{name}", "must be a number of at least 0")])
    return float(value)
