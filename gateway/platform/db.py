"""Database engine, sessions and migrations.

One engine per process: Celery's prefork pool forks workers, and a SQLAlchemy engine must
not cross a fork, so :func:`engine` remembers the process id it was made in.
"""
from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator
from typing import Any, TypeVar
from contextlib import contextmanager
from pathlib import Path

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from gateway.platform.config import Settings
from gateway.platform.private_files import create_private_file, private_folder

Row = TypeVar("Row")

MIGRATIONS_DIR = Path(__file__).parents[1] / "migrations"

_engines: dict[tuple[int, str], Engine] = {}


def engine(settings: Settings) -> Engine:
    """The process's engine for ``settings.database_url``, made on first use."""
    key = (os.getpid(), settings.database_url)
    if key not in _engines:
        _engines[key] = _make_engine(settings.database_url)
    return _engines[key]


def _make_engine(url: str) -> Engine:
    codec: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": _json_loads}
    if url.startswith("sqlite"):
        _create_sqlite_file(url)
        made = create_engine(url, connect_args={"timeout": 30}, **codec)
        event.listen(made, "connect", _sqlite_pragmas)
        return made
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5}, **codec)


# JSON columns (message headers, audit details, line outcomes) are written and read several
# times for every message, and orjson does it several times faster than the json module.
# What orjson writes where json would not (datetimes, dataclasses) it is told to hand back,
# so they fail as before; what it cannot write (an integer beyond 64 bits), json does, and
# text that may hold such an integer (19 digits in a row, where orjson would read a float) is
# read by json too.
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _json_dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        return json.dumps(value)


_LONG_NUMBER = re.compile(r"\d{19}")
_LONG_NUMBER_BYTES = re.compile(rb"\d{19}")


def _json_loads(text: str | bytes | memoryview) -> Any:
    """``text`` as psycopg hands it over (bytes or a memoryview) or as SQLite does (str)."""
    long_number = _LONG_NUMBER.search(text) if isinstance(text, str) else _LONG_NUMBER_BYTES.search(text)
    if not long_number:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:  # what json reads and orjson does not: NaN, Infinity
            pass
    return json.loads(text if isinstance(text, str) else bytes(text))


def _create_sqlite_file(url: str) -> None:
    """The database file made 0600 before SQLite makes it by the umask (its -wal and -shm copy its mode)."""
    database = make_url(url).database
    if database and database != ":memory:" and Path(database).parent.is_dir():
        create_private_file(Path(database))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the web process read while a worker writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope(settings: Settings) -> Iterator[Session]:
    """A unit of work: commit when the block ends, roll back when it raises."""
    session = _session_maker(engine(settings))()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@functools.cache
def _session_maker(bound: Engine) -> sessionmaker[Session]:
    """One ``sessionmaker`` per engine: each makes a Session subclass of its own, whose event
    dispatch SQLAlchemy sets up again on first use (about 2% of a worker's CPU when made per unit of work)."""
    return sessionmaker(bound, expire_on_commit=False)


def check_connection(settings: Settings) -> None:
    """Open a connection and run ``SELECT 1``; raises the driver's error when unreachable."""
    with engine(settings).connect() as connection:
        connection.execute(text("SELECT 1"))


# Alembic is imported inside the migration functions: it takes most of a second to load,
# and every CLI command imports this module.


def alembic_config(settings: Settings):
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (the latest by default)."""
    from alembic import command

    if settings.database_url.startswith("sqlite"):
        private_folder(settings.data_dir)
        _create_sqlite_file(settings.database_url)  # Alembic connects with an engine of its own
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str = "base") -> None:
    """Take the schema back down to ``revision`` (empty by default)."""
    from alembic import command

    command.downgrade(alembic_config(settings), revision)


def schema_revision(settings: Settings) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine(settings).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(settings: Settings) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(settings)).get_current_head()


def existing(session: Session, model: type[Row], key: object, *, with_for_update: bool = False) -> Row:
    """The row ``key`` of ``model`` where it must exist: a row this task read or stored before,
    or the partner a stored row points to. The gateway deletes no messages, orders or
    partners, so a missing one is a bug, raised as such rather than as an AttributeError."""
    row = session.get(model, key, with_for_update=with_for_update)
    if row is None:
        raise LookupError(f"{model.__name__} {key!r} is gone, though rows of it are never deleted")
    return row
