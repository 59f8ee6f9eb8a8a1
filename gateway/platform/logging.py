"""Structured logging with structlog, one request id per web request carried into tasks.

``EDI_GATEWAY_LOG_FORMAT=json`` gives one JSON object per line (for a log shipper);
``console`` (the default) gives readable key=value lines. Standard-library loggers
(Flask, Celery, gunicorn) go through the same renderer, so every line has one shape.
"""
from __future__ import annotations

import logging
import sys
import uuid

import structlog

from gateway.platform.config import Settings

REQUEST_ID_HEADER = "X-Request-ID"


def configure_logging(settings: Settings) -> None:
    renderer = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Alembic logs its dialect choice each time the schema revision is read (every /readyz),
    # and each of its plugins as it loads them (seven lines before every CLI command's output).
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # At DEBUG pyas2lib logs decrypted payloads; never let it, whatever the level asked for.
    logging.getLogger("pyas2lib").setLevel(logging.WARNING)


def new_request_id() -> str:
    return uuid.uuid4().hex


def bind_request_id(request_id: str) -> None:
    """Put ``request_id`` on every log line of this context (request or task)."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")
