"""Fixtures for the whole suite: real PostgreSQL and Redis, never mocked, never skipped.

The servers' addresses come from EDI_GATEWAY_TEST_POSTGRES_URL and
EDI_GATEWAY_TEST_REDIS_URL (defaults: this machine's services). A test that needs one
fails with a clear message when it is not there: CI must not go green on a suite that
silently left out its integration half.
"""
from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gateway.platform.config import Settings, load_settings

POSTGRES_URL = os.environ.get("EDI_GATEWAY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("EDI_GATEWAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def make_settings(data_dir: Path, **overrides: str) -> Settings:
    environ = {"EDI_GATEWAY_DATA_DIR": str(data_dir)}
    environ.update({f"EDI_GATEWAY_{name.upper()}": value for name, value in overrides.items()})
    return load_settings(environ)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    try:
        with create_engine(POSTGRES_URL).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        pytest.fail(f"PostgreSQL is required at {POSTGRES_URL} (EDI_GATEWAY_TEST_POSTGRES_URL): {error}", pytrace=False)
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server_url: str):
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"edigw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:
        pytest.fail(f"Redis is required at {REDIS_URL} (EDI_GATEWAY_TEST_REDIS_URL): {error}", pytrace=False)
    return REDIS_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path: Path) -> Settings:
    """Settings on a fresh, migrated database: the embedded SQLite, then PostgreSQL."""
    from gateway.platform import db

    if request.param == "sqlite":
        current = make_settings(tmp_path)
    else:
        current = make_settings(tmp_path, database_url=request.getfixturevalue("postgres_url"))
    db.upgrade(current)
    yield current
    db.engine(current).dispose()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
