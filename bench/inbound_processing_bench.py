"""The worker's processing of inbound 850s on the embedded default: how long its write
transaction lasts, with the 997 built at its first send (now) and built when queued
(before), in one run.

SQLite has one write lock: while the processing transaction holds it, the web server's
receipts wait (and with PostgreSQL, other processing for the same partner waits on its
control-number row). So the figure that matters during a burst is the transaction's
length, not only the time per message. The baseline rows run the same messages with the
997 signed and encrypted inside the transaction, as ``queue_outbound`` did until
2026-11-27; the last row is what the first send now spends on it instead.

Each message is a stored, accepted 850 (a copy of the single-PO Amazon sample with its
own PO number) processed by ``gateway.routing.process_inbound_message`` in this process,
as the worker task calls it; the follow-up tasks it queues are not run.

    .venv/bin/python bench/inbound_processing_bench.py [--messages 60]
"""
from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import structlog

import gateway.routing
from gateway.transport.as2 import sender as as2_outbound
from gateway.partners.certificates import generate_organization_key
from gateway.platform.config import load_settings
from gateway.platform.db import session_scope, upgrade
from gateway.sandbox.development import ensure_development_identity
from gateway.partners.keystore import import_partner_certificate
from gateway.models import Message
from gateway.platform.storage import attach_body, attach_payload
from gateway.partners.registry import add_partner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.fixtures
from tests.fixtures import AMAZON_FIXTURES  # noqa: E402  (the test data lives with the tests)

FIXTURE = AMAZON_FIXTURES / "850-single-po.edi"


@dataclass(frozen=True)
class Timing:
    per_message: float
    transactions: list[float]  # the processing transaction of each message, sorted
    acks: list[int]  # the 997 messages queued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60)
    options = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))  # warnings and worse
    with tempfile.TemporaryDirectory(prefix="inbound-bench-") as folder:
        settings = load_settings({"EDI_GATEWAY_DATA_DIR": folder})
        upgrade(settings)
        ensure_development_identity(settings)
        with session_scope(settings) as session:
            partner = add_partner(session, name="Amazon", as2_id="AMAZON", x12_id="AMAZON",
                                  as2={"url": "http://127.0.0.1:9/as2"})  # nobody listens: sends fail at once
            import_partner_certificate(session, partner, generate_organization_key("AMAZON", b"b").certificate_pem)
        ids = stored_orders(settings, partner.id, 2 * options.messages + 1)
        queued: list[dict] = []
        gateway.exchange.inbound.enqueue = lambda _settings, _task, **arguments: queued.append(arguments)  # no worker
        gateway.routing.process_inbound_message(settings, ids[0])  # warm-up: keys, maps, statements
        now = timed(settings, ids[1:options.messages + 1], queued)
        gateway.exchange.inbound.queue_outbound = built_when_queued
        before = timed(settings, ids[options.messages + 1:], queued)
        first_sends = []
        for message_id in now.acks[:10]:
            started = time.perf_counter()
            with contextlib.suppress(as2_outbound.TransientSendError):  # the POST is refused at once
                as2_outbound.send(settings, message_id)
            first_sends.append(time.perf_counter() - started)

    print(f"inbound processing of {options.messages} single-PO 850s per row, SQLite, one process")
    print()
    print(f"{'':66} {'now':>8} {'before':>8}")
    print(f"{'per message (validate, 997, purchase order, commits), ms':66} "
          f"{now.per_message * 1000:8.1f} {before.per_message * 1000:8.1f}")
    for name, pick in (("median", lambda t: statistics.median(t)), ("90th percentile", lambda t: t[int(len(t) * .9)])):
        print(f"{f'processing transaction (holds the write lock), {name}, ms':66} "
              f"{pick(now.transactions) * 1000:8.1f} {pick(before.transactions) * 1000:8.1f}")
    print(f"{'first send of a 997 (build, then a refused POST), median, ms':66} "
          f"{statistics.median(first_sends) * 1000:8.1f} {'(none)':>8}")


def built_when_queued(session, settings, partner, payload, *, document_type: str, filename: str) -> Message:
    """``queue_outbound`` as it was until 2026-11-27: signed and encrypted in the caller's
    transaction (the bench's baseline; it uses the send path's own build step)."""
    message = as2_outbound.queue_outbound(session, settings, partner, payload, document_type=document_type,
                                          filename=filename)
    as2_outbound._build(session, settings, message, partner)
    return message


def timed(settings, ids: list[int], queued: list[dict]) -> Timing:
    """Process ``ids`` one after the other, timing each call and its transactions."""
    transactions: list[float] = []
    queued.clear()
    with timed_transactions(transactions):
        started = time.perf_counter()
        for message_id in ids:
            gateway.routing.process_inbound_message(settings, message_id)
        per_message = (time.perf_counter() - started) / len(ids)
    # Each call has two sessions: marking the message ``processing``, then the one that writes.
    return Timing(per_message, sorted(transactions[1::2]),
                  [arguments["message_id"] for arguments in queued if "message_id" in arguments])


def stored_orders(settings, partner_id: int, count: int) -> list[int]:
    """``count`` accepted inbound 850s, as the AS2 endpoint leaves them, each its own PO."""
    template = FIXTURE.read_bytes()
    ids = []
    with session_scope(settings) as session:
        for number in range(count):
            message = Message(direction="inbound", transport="as2", partner_id=partner_id, status="accepted",
                              headers={})
            attach_body(settings, message, b"(not kept for the bench)")
            attach_payload(settings, message, template.replace(b"2XK7QP9M", f"B{number:07d}".encode()))
            session.add(message)
            session.flush()
            ids.append(message.id)
    return ids


@contextlib.contextmanager
def timed_transactions(durations: list[float]) -> Iterator[None]:
    """Time every ``session_scope`` block of ``gateway.exchange.inbound`` into ``durations``."""
    real = gateway.exchange.inbound.session_scope

    @contextlib.contextmanager
    def timed(settings):
        started = time.perf_counter()
        with real(settings) as session:
            yield session
        durations.append(time.perf_counter() - started)

    gateway.exchange.inbound.session_scope = timed
    try:
        yield
    finally:
        gateway.exchange.inbound.session_scope = real


if __name__ == "__main__":
    main()
