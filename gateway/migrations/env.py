"""Alembic environment: the URL comes from the gateway's settings via ``gateway.platform.db``."""
from alembic import context
from sqlalchemy import create_engine, pool

from gateway.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
if url is None:
    raise RuntimeError("sqlalchemy.url is not set: run the migrations through gateway.platform.db")


def run_migrations_offline(url: str) -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online(url: str) -> None:
    connectable = create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        # Batch mode lets ALTER TABLE work on SQLite, which cannot alter most constraints.
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline(url)
else:
    run_migrations_online(url)
