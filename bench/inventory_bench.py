"""The full 846 for a large catalogue, on the embedded default: wall time and peak memory of
each step, beside the least work that writes the same 846 text, in one run (issue 17).

    .venv/bin/python bench/inventory_bench.py [--skus 100000] [--batch-size 1000] [--database-url URL]

Set-up (not timed): a fresh gateway in a temporary data folder (SQLite, the filesystem
broker; with ``--database-url`` a PostgreSQL server, on which the bench creates a database
of its own, ``inventory_bench_<random>``, and drops it at the end: the server's other
databases, such as the tests' one, are not touched), the development organisation, Amazon as a partner with the 846 on (``burst``
1000 and a high ``sends_per_minute``, so one ``send_feed`` call stores the whole feed), a
catalogue of ``--skus`` SKUs with one EAN each, and a complete stock snapshot of all of
them (every SKU with stock to promise; some with units reserved or allocated).

Each step then runs in its own fresh child process, one after the other on the same data
folder, and reports its wall time and memory (the child's peak RSS during the step, and how
far it rose above the RSS the child had when the step started: imports and the input
already in memory are not counted in the rise):

1. ``receive_stock_report``: the snapshot taken in (the body is built before the clock);
2. ``plan_feed`` + commit: the full feed computed, guarded and written as batches;
3. ``send_feed``: every batch's 846 built and stored through ``send_document`` and queued
   on the broker (messages stay queued: nothing goes over the wire).

The baseline, in a child of its own: a plain loop that writes the same interchanges (ISA,
GS, ST, BIA, LIN/QTY per SKU, CTT, SE, GE, IEA, ``batch-size`` items each) with string
joins from the same SKUs, identifiers and quantities held in lists: no database, no
objects, no checks. Its bodies (ST to SE) are compared with the stored 846s segment by
segment, and the stored 846s' LIN segments are counted against the SKUs with stock, so
the bench cannot pass on an empty or short feed.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
PARTNER = "AMAZON"


# --- the data: the same in the gateway and in the baseline ------------------------------

def sku(number: int) -> str:
    return f"SKU-{number:07d}"


def ean(number: int) -> str:
    return f"{5012345000000 + number:013d}"


def level(number: int) -> tuple[int, int, int]:
    """(on_hand, reserved, allocated) of SKU ``number``: always some left to promise."""
    on_hand = 5 + number % 500
    return on_hand, number % 3, number % 4


def available(number: int) -> int:
    on_hand, reserved, allocated = level(number)
    return on_hand - reserved - allocated


# --- measuring ---------------------------------------------------------------------------

def memory(field: str) -> int:
    """``VmRSS`` (resident now) or ``VmHWM`` (its high-water mark) of this process, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def measured(step):
    """Run ``step()``; its result with the wall time and memory figures.

    The high-water mark is reset first (``clear_refs`` 5), so the peak is the step's own:
    ``ru_maxrss`` would keep the RSS of the parent the child was forked from."""
    Path("/proc/self/clear_refs").write_text("5")
    start_rss = memory("VmRSS")
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = memory("VmHWM")
    return {"seconds": seconds, "peak_kib": peak, "rise_kib": max(0, peak - start_rss), "result": result}


def in_child(step: str, options: argparse.Namespace, **extra: object) -> dict:
    """Run one step in a fresh interpreter; its last line of output is the figures."""
    arguments = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--folder", options.folder,
                 "--skus", str(options.skus), "--batch-size", str(options.batch_size), "--now", options.now]
    if options.database_url:
        arguments += ["--database-url", options.database_url]
    for name, value in extra.items():
        arguments += [f"--{name.replace('_', '-')}", str(value)]
    done = subprocess.run(arguments, capture_output=True, text=True, cwd=REPOSITORY,
                          env={**os.environ, "PYTHONPATH": str(REPOSITORY)})
    if done.returncode != 0:
        sys.exit(f"step {step} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def own_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server at ``server_url`` for this run, dropped afterwards."""
    from sqlalchemy import create_engine, make_url, text

    name = f"inventory_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the gateway's steps (each in a child) ------------------------------------------------

def gateway_settings(options: argparse.Namespace):
    import structlog

    from gateway.platform.config import load_settings
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))  # warnings and worse
    environment = {"EDI_GATEWAY_DATA_DIR": options.folder}
    if options.database_url:
        environment["EDI_GATEWAY_DATABASE_URL"] = options.database_url
    return load_settings(environment)


def set_up(options: argparse.Namespace) -> dict:
    from gateway.catalogue.items import CatalogueRow, import_catalogue
    from gateway.partners.certificates import generate_organization_key
    from gateway.partners.keystore import import_partner_certificate
    from gateway.partners.registry import add_partner, update_profile
    from gateway.platform.db import session_scope, upgrade
    from gateway.sandbox.development import ensure_development_identity

    settings = gateway_settings(options)
    upgrade(settings)
    ensure_development_identity(settings)
    with session_scope(settings) as session:
        partner = add_partner(session, name="Amazon", as2_id=PARTNER, x12_id=PARTNER,
                              as2={"url": "http://127.0.0.1:9/as2"})  # never called: the 846s stay queued
        import_partner_certificate(session, partner, generate_organization_key(PARTNER, b"b").certificate_pem)
        update_profile(partner, "inventory", {"enabled": True, "batch_size": options.batch_size, "burst": 1000,
                                              "sends_per_minute": 1_000_000})
    with session_scope(settings) as session:
        import_catalogue(session, (CatalogueRow("EN", ean(number), sku(number), None, None, False, False)
                                   for number in range(options.skus)), actor="bench")
    return {}


def receive(options: argparse.Namespace) -> dict:
    from gateway.inventory.stock import receive_stock_report

    settings = gateway_settings(options)
    items = []
    for number in range(options.skus):
        on_hand, reserved, allocated = level(number)
        items.append({"sku": sku(number), "on_hand": on_hand, "reserved": reserved, "allocated": allocated,
                      "available": on_hand - reserved - allocated, "discontinued": False, "restock_date": None})
    body = {"as_of": options.now, "complete": True, "items": items}
    figures = measured(lambda: receive_stock_report(settings, body, actor="bench", source="push").outcome.value)
    if figures["result"] != "applied":
        sys.exit(f"the snapshot was {figures['result']}, not applied")
    return figures


def plan(options: argparse.Namespace) -> dict:
    from sqlalchemy import select

    from gateway.inventory.feeds import FeedKind, plan_feed
    from gateway.models import TradingPartner
    from gateway.platform.db import session_scope

    settings = gateway_settings(options)
    now = datetime.fromisoformat(options.now)

    def step():
        with session_scope(settings) as session:
            partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == PARTNER)).one()
            feed = plan_feed(session, partner, FeedKind.FULL, requested_by="bench", now=now)
            return {"feed_id": feed.id, "items": feed.item_count, "held": feed.held_count, "batches": feed.batch_count}

    return measured(step)


def send(options: argparse.Namespace) -> dict:
    from gateway.inventory.feeds import send_feed

    settings = gateway_settings(options)
    now = datetime.fromisoformat(options.now)
    figures = measured(lambda: send_feed(settings, options.feed_id, now=now))
    progress = figures["result"]
    figures["result"] = {"queued": progress.queued, "remaining": progress.remaining}
    return figures


def stored(options: argparse.Namespace) -> dict:
    """Not timed: the stored 846s' bodies (ST to SE) and their LIN and QTY figures."""
    from sqlalchemy import select

    from gateway.models import Message
    from gateway.platform.db import session_scope
    from gateway.platform.storage import read_payload

    settings = gateway_settings(options)
    with session_scope(settings) as session:
        payloads = [read_payload(settings, message) for message in session.scalars(
            select(Message).where(Message.document_type == "846").order_by(Message.id))]
    if any(payload is None for payload in payloads):
        sys.exit("a stored 846 has no payload")
    texts = [payload.decode() for payload in payloads if payload is not None]
    Path(options.folder, "ours.json").write_text(json.dumps([bodies(text) for text in texts]))
    return {"interchanges": len(texts), "bytes": sum(len(text.encode()) for text in texts)}


# --- the baseline ---------------------------------------------------------------------------

def baseline(options: argparse.Namespace) -> dict:
    """The same interchanges from lists, by string joins; no database."""
    skus_, eans, quantities = [], [], []
    for number in range(options.skus):
        skus_.append(sku(number))
        eans.append(ean(number))
        quantities.append(available(number))
    now = datetime.fromisoformat(options.now).astimezone(timezone.utc)
    feed_id = options.feed_id

    def write() -> list[str]:
        day, minute = now.strftime("%Y%m%d"), now.strftime("%H%M")
        out = []
        size = options.batch_size
        for index, start in enumerate(range(0, len(eans), size), 1):
            segments = [f"ST*846*{index:04d}", f"BIA*00*MM*F{feed_id}-{index}*{day}*{minute}"]
            for identifier, quantity in zip(eans[start:start + size], quantities[start:start + size]):
                segments.append(f"LIN**EN*{identifier}")
                segments.append(f"QTY*33*{quantity}*EA")
            count = len(segments) - 2
            segments.append(f"CTT*{count // 2}")
            segments.append(f"SE*{len(segments) + 1}*{index:04d}")
            out.append("~".join((
                f"ISA*00*          *00*          *ZZ*{'ACMEBRANDS':15}*ZZ*{PARTNER:15}*{now:%y%m%d}*{minute}*U*00401*"
                f"{index:09d}*0*P*>", f"GS*IB*ACMEBRANDS*{PARTNER}*{day}*{minute}*{index}*X*004010",
                *segments, f"GE*1*{index}", f"IEA*1*{index:09d}")) + "~")
        return out

    figures = measured(write)
    texts = figures["result"]
    Path(options.folder, "baseline.json").write_text(json.dumps([bodies(text) for text in texts]))
    figures["result"] = {"interchanges": len(texts), "bytes": sum(len(text.encode()) for text in texts)}
    return figures


def bodies(text: str) -> list[str]:
    """An interchange's segments from ST to SE (control numbers included), whitespace dropped."""
    segments = [segment.strip() for segment in text.split("~") if segment.strip()]
    return [segment for segment in segments if segment.split("*")[0] not in ("ISA", "GS", "GE", "IEA")]


# --- the run ----------------------------------------------------------------------------------

STEPS = {"set-up": set_up, "receive": receive, "plan": plan, "send": send, "stored": stored, "baseline": baseline}


def verify(folder: str, skus: int) -> tuple[int, int]:
    """LIN segments and QTY total across the stored 846s, checked against the data and the baseline."""
    ours = json.loads(Path(folder, "ours.json").read_text())
    theirs = json.loads(Path(folder, "baseline.json").read_text())
    lines = sum(1 for body in ours for segment in body if segment.startswith("LIN*"))
    total = sum(int(segment.split("*")[2]) for body in ours for segment in body if segment.startswith("QTY*33*"))
    expected = [available(number) for number in range(skus)]
    if lines != sum(1 for quantity in expected if quantity > 0):
        sys.exit(f"the stored 846s carry {lines} LIN segments, not one per SKU with stock")
    if total != sum(expected):
        sys.exit(f"the stored 846s' QTY*33 total {total}, not {sum(expected)}")
    if ours != theirs:
        where = next(index for index, (a, b) in enumerate(zip(ours, theirs)) if a != b) if len(ours) == len(
            theirs) else "count"
        sys.exit(f"the stored 846s differ from the baseline's (interchange {where})")
    return lines, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000, help="inventory.batch_size: items per 846")
    parser.add_argument("--database-url", help="a PostgreSQL server (postgresql+psycopg://...): the bench makes "
                        "and drops a database of its own there; SQLite in the data folder when not given")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    parser.add_argument("--feed-id", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        print(json.dumps(STEPS[options.step](options), default=str))
        return
    options.now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    with tempfile.TemporaryDirectory(prefix="inventory-bench-") as folder, contextlib.ExitStack() as stack:
        options.folder = folder
        if options.database_url:
            options.database_url = stack.enter_context(own_database(options.database_url))
        started = time.perf_counter()
        in_child("set-up", options)
        set_up_seconds = time.perf_counter() - started
        took = in_child("receive", options)
        planned = in_child("plan", options)
        feed = planned["result"]
        sent = in_child("send", options, feed_id=feed["feed_id"])
        if sent["result"]["remaining"]:
            sys.exit(f"send_feed left {sent['result']['remaining']} batches owed: the bucket ran out")
        ours = in_child("stored", options)
        base = in_child("baseline", options, feed_id=feed["feed_id"])
        lines, total = verify(folder, options.skus)

    mib = 1024
    database = "PostgreSQL" if options.database_url else "SQLite"
    print(f"full 846 for {options.skus:,} SKUs, {options.batch_size} items per 846, {database}, each step in a fresh "
          f"process (set-up, not timed: {set_up_seconds:.0f} s)")
    print()
    print(f"{'step':52} {'wall s':>8} {'peak RSS MiB':>13} {'rise MiB':>9}")
    rows = [("1. take in the snapshot (receive_stock_report)", took),
            ("2. plan the full feed (plan_feed + commit)", planned),
            ("3. build + store every 846 (send_feed)", sent)]
    for name, figures in rows:
        print(f"{name:52} {figures['seconds']:8.2f} {figures['peak_kib'] / mib:13.0f} {figures['rise_kib'] / mib:9.0f}")
    seconds = sum(figures["seconds"] for _, figures in rows)
    peak = max(figures["peak_kib"] for _, figures in rows)
    rise = max(figures["rise_kib"] for _, figures in rows)
    print(f"{'ours, end to end (1 + 2 + 3; memory: the worst step)':52} {seconds:8.2f} {peak / mib:13.0f} "
          f"{rise / mib:9.0f}")
    print(f"{'baseline: the same 846 text by string joins, no DB':52} {base['seconds']:8.2f} "
          f"{base['peak_kib'] / mib:13.0f} {base['rise_kib'] / mib:9.0f}")
    print(f"{'ours / baseline':52} {seconds / base['seconds']:7.0f}x {peak / base['peak_kib']:12.1f}x "
          f"{rise / max(base['rise_kib'], 1):8.1f}x")
    print()
    print(f"846 interchanges: ours {ours['interchanges']} ({ours['bytes']:,} bytes), baseline "
          f"{base['result']['interchanges']} ({base['result']['bytes']:,} bytes); planned {feed['items']:,} items "
          f"in {feed['batches']} batches, {feed['held']} held")
    print(f"verified: {lines:,} LIN segments (one per SKU with stock), QTY*33 total {total:,}, every body (ST to SE) "
          "identical to the baseline's")


if __name__ == "__main__":
    main()
