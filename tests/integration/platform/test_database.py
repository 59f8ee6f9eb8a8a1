"""Migrations, control numbers and message storage on SQLite and PostgreSQL alike."""
import multiprocessing

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
import pytest
from sqlalchemy import inspect, select

from gateway.platform import db
from gateway.exchange.control_numbers import next_control_number
from gateway.models import Base, Message
from gateway.platform.storage import INLINE_LIMIT, attach_body, blob_path, read_body

TABLES = {"organisation", "trading_partner", "message", "audit_event", "control_number_sequence"}


def test_migrations_go_up_to_head_and_back_down_to_empty(settings):
    assert db.schema_revision(settings) == db.head_revision(settings)
    assert TABLES <= set(inspect(db.engine(settings)).get_table_names())
    db.downgrade(settings, "base")
    assert db.schema_revision(settings) is None
    assert not TABLES & set(inspect(db.engine(settings)).get_table_names())
    db.upgrade(settings)
    assert TABLES <= set(inspect(db.engine(settings)).get_table_names())


def test_models_match_the_migrated_schema(settings):
    with db.engine(settings).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_control_numbers_count_up_per_partner_and_kind(settings):
    with db.session_scope(settings) as session:
        isa = [next_control_number(session, "AMAZON", "isa") for _ in range(3)]
        gs = next_control_number(session, "AMAZON", "gs")
        other = next_control_number(session, "SANDBOX", "isa")
    assert (isa, gs, other) == ([1, 2, 3], 1, 1)
    with db.session_scope(settings) as session:
        assert next_control_number(session, "AMAZON", "isa") == 4


def test_a_large_body_goes_to_the_blob_store_and_reads_back(settings):
    small, large = b"ISA*00~", b"X" * (INLINE_LIMIT + 1)
    with db.session_scope(settings) as session:
        for body in (small, large):
            message = Message(direction="inbound", status="received", headers={})
            attach_body(settings, message, body)
            session.add(message)
    with db.session_scope(settings) as session:
        stored = session.scalars(select(Message).order_by(Message.id)).all()
        assert [m.body is None for m in stored] == [False, True]
        assert blob_path(settings, stored[1].body_sha256).exists()
        assert [read_body(settings, m) for m in stored] == [small, large]


def _allocate(database_url: str, data_dir: str, count: int, queue) -> None:
    from tests.conftest import make_settings

    settings = make_settings(data_dir, database_url=database_url)
    numbers = []
    for _ in range(count):
        with db.session_scope(settings) as session:
            numbers.append(next_control_number(session, "AMAZON", "isa"))
    queue.put(numbers)


@pytest.mark.slow
def test_two_processes_never_get_the_same_control_number(postgres_url, tmp_path):
    from tests.conftest import make_settings

    db.upgrade(make_settings(tmp_path, database_url=postgres_url))
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_allocate, args=(postgres_url, str(tmp_path), 150, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    together = results[0] + results[1]
    assert sorted(together) == list(range(1, 301))
    assert all(numbers == sorted(numbers) for numbers in results)
