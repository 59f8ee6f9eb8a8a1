"""What the AS2 endpoints decide before any work: the refusal limit and the free-disk floor.

Both run as ``before_request`` hooks of the ``as2`` blueprint, so a shut-out address or a
full disk costs no read of the body, no database row and no cryptography. The client
address is ``request.remote_addr``: the real client's behind ``EDI_GATEWAY_TRUSTED_PROXIES``
proxies (``gateway.web.create_app``), the peer's otherwise.
"""
from __future__ import annotations

import time
from typing import cast

import structlog
from flask import Blueprint, Flask, Response, current_app, request
from flask.sansio.blueprints import BlueprintSetupState

from gateway.platform.disk_space import LowDiskSpace, check_free_disk
from gateway.web import settings_of
from gateway.web.rate_limit import RefusalCounter, is_refusal

log = structlog.get_logger("gateway.web.as2_edge")

DISK_RETRY_AFTER_SECONDS = 300
_COUNTER = "as2_refusals"  # key in app.extensions: one counter per app (and process)


def guard(blueprint: Blueprint) -> None:
    """Register the hooks on ``blueprint`` (the AS2 endpoints)."""
    blueprint.record_once(_make_counter)
    blueprint.before_request(_shut_out_or_full)
    blueprint.after_request(_count_refusal)


def _make_counter(state: BlueprintSetupState) -> None:
    settings = settings_of(cast(Flask, state.app))  # registered on a Flask app, never a bare sansio App
    state.app.extensions[_COUNTER] = RefusalCounter(settings.as2_refusal_limit,
                                                    settings.as2_refusal_window_seconds)


def _counter() -> RefusalCounter:
    return current_app.extensions[_COUNTER]


def _shut_out_or_full() -> Response | None:
    wait = _counter().retry_after(_address(), time.monotonic())
    if wait is not None:
        log.warning("as2 request shut out", address=_address(), retry_after=wait)
        return Response("too many refused requests from this address\n", 429, mimetype="text/plain",
                        headers={"Retry-After": str(wait)})
    try:
        check_free_disk(settings_of(current_app))
    except LowDiskSpace as low:
        log.error("as2 request turned away: disk nearly full", reason=str(low))
        return Response("temporarily unable to store messages\n", 503, mimetype="text/plain",
                        headers={"Retry-After": str(DISK_RETRY_AFTER_SECONDS)})
    return None


def _count_refusal(response: Response) -> Response:
    if is_refusal(response.status_code, response.get_data()):
        _counter().count_refusal(_address(), time.monotonic())
    return response


def _address() -> str:
    return request.remote_addr or "unknown"
