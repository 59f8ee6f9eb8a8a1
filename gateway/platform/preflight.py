"""Checks made before a process starts serving, each failing with one line a person can act on."""
from __future__ import annotations

import errno
import socket

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from gateway.platform import db
from gateway.platform.config import Settings
from gateway.platform.queue import check_broker, prepare_broker


class StartupError(Exception):
    """The gateway cannot start as configured; the message says what to fix."""


def check_database(settings: Settings) -> None:
    try:
        db.check_connection(settings)
    except SQLAlchemyError as error:
        url = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", error) or error).strip().splitlines()[0]
        raise StartupError(f"database {url} is unreachable (EDI_GATEWAY_DATABASE_URL): {reason}") from None


def check_queue(settings: Settings) -> None:
    try:
        prepare_broker(settings)
        check_broker(settings)
    except Exception as error:  # kombu raises transport-specific types; all mean "unreachable"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StartupError(f"broker {settings.broker_url} is unreachable (EDI_GATEWAY_BROKER_URL): {reason}") from None


def check_port_free(settings: Settings) -> None:
    with socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {settings.port} on {settings.host} is already in use (EDI_GATEWAY_PORT)"
                ) from None
            raise StartupError(f"cannot listen on {settings.host}:{settings.port}: {error.strerror}") from None
