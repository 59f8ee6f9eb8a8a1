"""Database engine, sessions and migrations.

One engine per process: Celery's prefork pool forks workers, and a SQLAlchemy engine must
not cross a fork, so :func:`engine` remembers the process id it was made in.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import TypeVar
from contextlib import contextmanager
from pathlib import Path

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
    if url.startswith("sqlite"):
        _create_sqlite_file(url)
        made = create_engine(url, connect_args={"timeout": 30})
        event.listen(made, "connect", _sqlite_pragmas)
        return made
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


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
