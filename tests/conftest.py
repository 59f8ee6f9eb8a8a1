"""Fixtures for the whole suite: real PostgreSQL and Redis, never mocked, never skipped.

The servers' addresses come from EDI_GATEWAY_TEST_POSTGRES_URL and
EDI_GATEWAY_TEST_REDIS_URL (defaults: this machine's services). A test that needs one
fails with a clear message when it is not there: CI must not go green on a suite that
silently left out its integration half.

Markers say which tests need what, so that ``pytest -m "not postgres and not redis"``
runs everything else on a machine without the servers:

- ``postgres`` and ``redis`` come from the fixtures a test uses, never by hand: a fixture
  parametrised over backends marks its PostgreSQL/Redis parameter (``POSTGRES``,
  ``POSTGRES_AND_REDIS``), and ``pytest_collection_modifyitems`` marks every test that
  requests a server fixture by name. The server fixtures refuse a test without the
  marker, so a new way of reaching a server cannot leave a test unmarked.
- ``slow`` is written on the tests that start programs (the gateway's commands, workers,
  the reference IMS, fresh Python interpreters, a browser) or run for more than a few
  seconds.
"""
from __future__ import annotations

import os
import socket
import sqlite3
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gateway.platform.config import Settings, load_settings
from tests.support.processes import setting_variables

POSTGRES_URL = os.environ.get("EDI_GATEWAY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("EDI_GATEWAY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

# Parameters of fixtures that run a test once per backend.
POSTGRES = pytest.param("postgresql", marks=pytest.mark.postgres)
POSTGRES_AND_REDIS = pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.redis])

# Fixtures that reach a server, and the marker a test using one gets.
SERVER_FIXTURES = {"postgres_server_url": "postgres", "postgres_url": "postgres",
                   "migrated_postgres_url": "postgres", "redis_server_url": "redis", "redis_url": "redis"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for marker in sorted({SERVER_FIXTURES[name] for name in getattr(item, "fixturenames", ())
                              if name in SERVER_FIXTURES}):
            item.add_marker(marker)


def require_marker(request: pytest.FixtureRequest, marker: str) -> None:
    """Fail a test that reaches a server without saying so (a fixture that asks for one
    with ``getfixturevalue`` must mark that parameter with ``POSTGRES`` or ``POSTGRES_AND_REDIS``)."""
    if request.node.get_closest_marker(marker) is None:
        pytest.fail(f"{request.node.nodeid} uses the {marker} server but is not marked {marker}: "
                    f"mark the fixture parameter that needs it (tests/conftest.py says how)", pytrace=False)


def make_settings(data_dir: Path, **overrides: str) -> Settings:
    return load_settings(setting_variables(data_dir=str(data_dir), **overrides))


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    try:
        with create_engine(POSTGRES_URL).connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        pytest.fail(f"PostgreSQL is required at {POSTGRES_URL} (EDI_GATEWAY_TEST_POSTGRES_URL): {error}", pytrace=False)
    return POSTGRES_URL


@contextmanager
def new_postgres_database(server_url: str, prefix: str = "edigw_test", template: str | None = None):
    """A new PostgreSQL database (a copy of ``template`` when given), as a URL; dropped
    on leaving, whoever is still connected to it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest, postgres_server_url: str):
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    require_marker(request, "postgres")
    with new_postgres_database(postgres_server_url) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_template(postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory):
    """The name of a PostgreSQL database migrated to head once per test process, to copy.

    Copying it (``CREATE DATABASE ... TEMPLATE``, 0.05 s) instead of migrating an empty
    database for each test (0.3 s) is most of what a database costs a test. The
    migrations themselves are tested on empty databases (``postgres_url``)."""
    from gateway.platform import db

    with new_postgres_database(postgres_server_url, "edigw_template") as url:
        migrated = make_settings(tmp_path_factory.mktemp("postgres-template"), database_url=url)
        db.upgrade(migrated)
        db.engine(migrated).dispose()  # a template cannot be copied while anyone is connected to it
        yield make_url(url).database


@pytest.fixture
def migrated_postgres_url(request: pytest.FixtureRequest, postgres_server_url: str, postgres_template: str):
    """A new PostgreSQL database already at the latest schema, for one test, dropped afterwards."""
    require_marker(request, "postgres")
    with new_postgres_database(postgres_server_url, template=postgres_template) as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database migrated to head once per test process (0.5 s of migrations);
    ``copy_migrated_sqlite`` gives each test its own copy of it."""
    from gateway.platform import db

    migrated = make_settings(tmp_path_factory.mktemp("sqlite-template"))
    db.upgrade(migrated)
    db.engine(migrated).dispose()
    return Path(make_url(migrated.database_url).database)


def copy_migrated_sqlite(template: Path, settings: Settings) -> None:
    """Put a copy of the migrated ``template`` where ``settings`` keep their SQLite
    database, made 0600 first as ``db.upgrade`` would; SQLite's backup copies it whole,
    what its write-ahead log holds included."""
    from gateway.platform.private_files import create_private_file, private_folder

    private_folder(settings.data_dir)
    target = Path(make_url(settings.database_url).database)
    create_private_file(target)
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as error:
        pytest.fail(f"Redis is required at {REDIS_URL} (EDI_GATEWAY_TEST_REDIS_URL): {error}", pytrace=False)
    return REDIS_URL


@pytest.fixture
def redis_url(request: pytest.FixtureRequest, redis_server_url: str) -> str:
    """The Redis server, for a test marked ``redis``."""
    require_marker(request, "redis")
    return redis_server_url


@pytest.fixture(params=["sqlite", POSTGRES])
def settings(request, tmp_path: Path) -> Settings:
    """Settings on a database of this test's own at the latest schema: the embedded SQLite,
    then PostgreSQL. Each is a copy of one migrated once per test process."""
    from gateway.platform import db

    if request.param == "sqlite":
        current = make_settings(tmp_path)
        copy_migrated_sqlite(request.getfixturevalue("sqlite_template"), current)
    else:
        current = make_settings(tmp_path, database_url=request.getfixturevalue("migrated_postgres_url"))
    yield current
    db.engine(current).dispose()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
