"""The whole PO pipeline, end to end: 850s over AS2 in, 855s delivered out, per setup, in one run.

A real gateway (``edi-gateway run``, as ``make run`` starts it: web, worker, beat and the
sandbox IMS) in a temporary data folder, set up with the CLI as an operator would, takes
POs of ``--lines`` lines signed and encrypted by a stand-in Amazon, and sends its 997s and
855s (signed and encrypted) to a light Amazon-side peer in its own process, which decrypts
and verifies them with pyas2lib and answers an unsigned synchronous MDN. The sandbox IMS
creates every sales order over REST with stock for all of it (no auto-shipping, so no 856
competes). A PO counts when its 855 is delivered: a verified MDN came back for it.

Modes:
- burst: ``--burst`` POs POSTed at once by ``--senders`` processes;
- steady: ``--rate`` POs/s for ``--seconds``, each POSTed on its own schedule.

Setups, each in the same run, one after the other (the machine is shared: compare a figure
only with the others of the same run):
- ``embedded``: the default, SQLite + the filesystem broker (``embedded4``: with 4 worker
  processes instead of the default);
- ``pg1``, ``pg2``, ``pg4``: PostgreSQL + Redis with 1, 2 or 4 worker processes
  (``EDI_GATEWAY_WORKER_CONCURRENCY``), in a new database created for the run;
- any of them with ``@N`` (``pg2@1``, ``pg4@2``): the gateway's processes (``edi-gateway run``
  and all it starts, the sandbox IMS too) kept to the machine's first N cores (``taskset``),
  so that one run shows what more cores give on a machine that has few. PostgreSQL, Redis,
  the peer and the senders still use every core.

For each it prints POs/s end to end (POs / first POST to last 855 delivered) and the latency
of each stage from the PO's POST: received (stored, MDN answered), sales order created in
the IMS, 997 delivered, 855 delivered; p50, p95 and max. Figures come from the gateway's own
records (message rows, the PO timeline), read after the run. Then the CPU each PO cost,
from the first POST to the last 855 delivered, in milliseconds: the gateway's processes
(and of those its web server and its worker), the sandbox IMS's, the peer's, and the whole
machine's (PostgreSQL, Redis and the senders included). Unlike
POs/s, these do not move with how fast the machine is that minute; N cores at 100% give
at most N * 1000 / machine POs/s.

To measure other code (an earlier commit), point PYTHONPATH at its checkout: every process
of the gateway imports it from there.

    .venv/bin/python bench/pipeline_bench.py [--mode burst|steady|both] [--burst 300]
        [--rate 5 --seconds 60] [--setups embedded,pg1,pg2,pg4] [--lines 20]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--redis-url redis://127.0.0.1:6379/14]
"""
from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import redis
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from as2_bench import edi_gateway, free_port, our_certificate, running_server
from gateway.models import AuditEvent, Message
from gateway.partners.certificates import generate_organization_key
from gateway.transport.as2.protocol import (
    InboundStatus,
    MdnMode,
    OrganizationProfile,
    OutboundMessage,
    PartnerProfile,
    build_message,
    receive,
)

EDI_GATEWAY = str(Path(sys.executable).with_name("edi-gateway"))
PASSPHRASE = b"bench passphrase"
AMAZON = "AMAZON"
GATEWAY_AS2_ID = "ACMEBRANDS"  # what `init` names the development organisation
WARM_UP_POS = 3
STAGES = ("received", "sales order created", "997 delivered", "855 delivered")


# ------------------------------------------------------------------- the POs


def catalogue_rows(lines: int) -> list[tuple[str, str]]:
    """(EAN, SKU) of the bench's items: one per PO line."""
    return [(ean13(f"501234{index:06d}"), f"BENCH-{index:03d}") for index in range(1, lines + 1)]


def ean13(twelve: str) -> str:
    total = sum(int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(twelve))
    return twelve + str((10 - total % 10) % 10)


def purchase_order(number: int, items: list[tuple[str, str]]) -> bytes:
    """An Amazon-style 850 with one PO1 per item, its own PO number and ISA13/GS06."""
    control = f"{number:09d}"
    po_number = po_number_of(number)
    lines = "".join(f"PO1*{index}*12*EA*9.99**EN*{ean}~\n" for index, (ean, _sku) in enumerate(items, 1))
    body = (f"ST*850*0001~\nBEG*00*NE*{po_number}**20261127~\nDTM*064*20261201~\nDTM*063*20261208~\n"
            f"N1*ST**92*RNO4~\n{lines}CTT*{len(items)}*{12 * len(items)}~\n")
    segments = body.count("~")
    return (f"ISA*00*          *00*          *ZZ*{AMAZON:<15}*ZZ*{GATEWAY_AS2_ID:<15}*261127*0839*U*00401*{control}"
            f"*0*P*>~\nGS*PO*{AMAZON}*{GATEWAY_AS2_ID}*20261127*0839*{number}*X*004010~\n{body}"
            f"SE*{segments + 1}*0001~\nGE*1*{number}~\nIEA*1*{control}~\n").encode()


def po_number_of(number: int) -> str:
    return f"B{number:07d}"


# --------------------------------------------------------------- Amazon's side


class _Peer(BaseHTTPRequestHandler):
    """Amazon's AS2 endpoint: decrypt and verify with pyas2lib, answer an unsigned sync MDN."""

    us: OrganizationProfile
    gateway: PartnerProfile
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        result = receive(list(self.headers.items()), body, lambda _to: self.us, lambda _from: self.gateway,
                         lambda _id, _from: False)
        if result.status is not InboundStatus.PROCESSED or result.mdn is None:
            self.send_response(400)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        for name, value in result.mdn.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(result.mdn.body)))
        self.end_headers()
        self.wfile.write(result.mdn.body)

    def log_message(self, *_args) -> None:
        pass


def serve_peer(port: int, amazon_key, gateway_certificate: bytes) -> None:
    _Peer.us = OrganizationProfile(AMAZON, (amazon_key,))
    _Peer.gateway = PartnerProfile(GATEWAY_AS2_ID, (gateway_certificate,), mdn_mode=MdnMode.SYNC,
                                   signed_mdn=False)
    ThreadingHTTPServer(("127.0.0.1", port), _Peer).serve_forever()


@contextmanager
def amazon_peer(amazon_key, gateway_certificate: bytes) -> Iterator[tuple[str, int]]:
    """The peer's AS2 URL and process id."""
    port = free_port()
    peer = multiprocessing.Process(target=serve_peer, args=(port, amazon_key, gateway_certificate), daemon=True)
    peer.start()
    try:
        yield f"http://127.0.0.1:{port}/as2", peer.pid
    finally:
        peer.terminate()
        peer.join()


# ------------------------------------------------------------------- senders


def post(connection: http.client.HTTPConnection, message: OutboundMessage) -> bool:
    connection.request("POST", "/as2", body=message.body, headers=message.headers)
    response = connection.getresponse()
    content = response.read()
    return response.status == 200 and b"; processed" in content


def burst_sender(arguments: tuple) -> list[tuple[str, float, bool]]:
    """POST every message, one after the other; (Message-ID, when posted, answered processed)."""
    url, messages = arguments
    address = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
    sent = []
    for message in messages:
        posted = time.time()
        try:
            ok = post(connection, message)
        except (OSError, http.client.HTTPException):
            connection.close()
            ok = False
        sent.append((message.message_id, posted, ok))
    connection.close()
    return sent


def steady_send(url: str, messages: list[OutboundMessage], rate: float) -> list[tuple[str, float, bool]]:
    """POST message i at start + i / rate, each on a new connection (as a partner sending one
    message now and then does: a kept-alive one would be closed by the server meanwhile)."""
    address = urllib.parse.urlsplit(url)
    start = time.time() + 0.5

    def one(index: int) -> tuple[str, float, bool]:
        message = messages[index]
        time.sleep(max(0.0, start + index / rate - time.time()))
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        posted = time.time()
        try:
            ok = post(connection, message)
        except (OSError, http.client.HTTPException):
            ok = False
        finally:
            connection.close()
        return message.message_id, posted, ok

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(one, range(len(messages))))


# ------------------------------------------------------------------ a setup


@dataclass
class Setup:
    name: str
    environment: dict[str, str] = field(default_factory=dict)
    database: str | None = None  # PostgreSQL database made for the run
    cores: int | None = None  # the gateway kept to this many cores, else all of them

    def command(self) -> list[str]:
        """``edi-gateway run``, under ``taskset`` when the setup names its cores."""
        pinned = ["taskset", "--cpu-list", f"0-{self.cores - 1}"] if self.cores else []
        return [*pinned, EDI_GATEWAY, "run"]


@dataclass
class Result:
    setup: str
    mode: str
    sent: int
    refused: int
    delivered: int
    seconds: float  # first POST to last 855 delivered
    stages: dict[str, list[float]]
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds while the timed POs ran, by whose

    @property
    def per_second(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0


def setups(names: list[str], postgres_url: str, redis_url: str) -> Iterator[Setup]:
    for name in names:
        kind, _, cores_text = name.partition("@")  # "pg2@1": pg2 on the first core only
        cores = int(cores_text) if cores_text else None
        if cores is not None and not 1 <= cores <= (os.cpu_count() or 1):
            raise SystemExit(f"{name}: this machine has {os.cpu_count()} cores")
        if kind.startswith("embedded"):  # "embedded": as make run starts it; "embedded4": 4 worker processes
            workers = kind.removeprefix("embedded")
            yield Setup(name, {"EDI_GATEWAY_WORKER_CONCURRENCY": workers} if workers else {}, cores=cores)
            continue
        workers = int(kind.removeprefix("pg"))
        database = f"pipeline_bench_{uuid.uuid4().hex[:10]}"
        url = make_url(postgres_url).set(database=database).render_as_string(hide_password=False)
        yield Setup(name, {"EDI_GATEWAY_DATABASE_URL": url, "EDI_GATEWAY_BROKER_URL": redis_url,
                           "EDI_GATEWAY_WORKER_CONCURRENCY": str(workers)}, database, cores)


@contextmanager
def fresh_database(setup: Setup, postgres_url: str, redis_url: str) -> Iterator[None]:
    if setup.database is None:
        yield
        return
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{setup.database}"'))
    redis.Redis.from_url(redis_url).flushdb()
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{setup.database}" WITH (FORCE)'))
        admin.dispose()
        redis.Redis.from_url(redis_url).flushdb()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The gateway (``edi-gateway run`` and its web, worker and beat), of which web and worker,
# then the sandbox IMS (the customer's system in production), the peer, and the machine.
CPU_COLUMNS = ("gateway", "web", "worker", "ims", "peer", "machine")
ROLE_COLUMNS = {"serve": "web", "worker": "worker", "sandbox-ims": "ims"}  # edi-gateway sub-command -> column


def process_cpu() -> dict[int, tuple[int, float]]:
    """Every process's parent and CPU seconds (user + system), from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # it ended meanwhile
            fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) "; the name may hold spaces
            found[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return found


def tree_cpu(root: int, processes: dict[int, tuple[int, float]]) -> float:
    """CPU seconds of ``root`` and every process below it (those still running)."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _cpu) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, waiting = 0.0, [root]
    while waiting:
        pid = waiting.pop()
        total += processes.get(pid, (0, 0.0))[1]
        waiting.extend(children.get(pid, ()))
    return total


def machine_busy() -> float:
    """CPU seconds this machine has spent on anything but idling, over all its cores."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLOCK_TICKS  # less idle and iowait; guest is in user


def sub_command(pid: int) -> str:
    """The ``edi-gateway`` sub-command a child of ``edi-gateway run`` runs (``python -m gateway.cli <it>``)."""
    try:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return ""
    return arguments[3].decode() if len(arguments) > 3 and arguments[2] == b"gateway.cli" else ""


def cpu_now(gateway: int, peer: int) -> dict[str, float]:
    """CPU seconds so far, by the columns of ``CPU_COLUMNS``: the gateway (``edi-gateway run``
    and every process it started but the sandbox IMS), its web server and its worker (each
    with the processes below it), the sandbox IMS, the Amazon-side peer, and the whole
    machine (all those, PostgreSQL, Redis, the senders and this script)."""
    processes = process_cpu()
    cpu = {"web": 0.0, "worker": 0.0, "ims": 0.0}
    for pid, (parent, _cpu) in processes.items():
        if parent == gateway and (column := ROLE_COLUMNS.get(sub_command(pid))):
            cpu[column] += tree_cpu(pid, processes)
    cpu["gateway"] = tree_cpu(gateway, processes) - cpu["ims"]
    return {**cpu, "peer": tree_cpu(peer, processes), "machine": machine_busy()}


def run_setup(setup: Setup, mode: str, count: int, options: argparse.Namespace) -> Result:
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as folder, \
            fresh_database(setup, options.postgres_url, options.redis_url):
        data_dir = Path(folder)
        items = catalogue_rows(options.lines)
        (data_dir / "catalogue.csv").write_text(
            "qualifier,identifier,sku,unit_cost,case_pack,critical\n"
            + "".join(f"EN,{ean},{sku},9.99,1,false\n" for ean, sku in items))
        (data_dir / "stock.csv").write_text(
            "sku,on_hand,reserved,case_pack\n" + "".join(f"{sku},100000000,0,1\n" for _ean, sku in items))
        environment = {name: value for name, value in os.environ.items() if not name.startswith("EDI_GATEWAY_")}
        environment.update(EDI_GATEWAY_DATA_DIR=str(data_dir), EDI_GATEWAY_PORT=str(free_port()),
                           EDI_GATEWAY_SANDBOX_IMS_PORT=str(free_port()),
                           EDI_GATEWAY_SANDBOX_STOCK=str(data_dir / "stock.csv"),
                           EDI_GATEWAY_SANDBOX_AUTO_SHIP_SECONDS="0", EDI_GATEWAY_LOG_LEVEL="WARNING",
                           **setup.environment)
        edi_gateway(environment, "init")
        edi_gateway(environment, "catalogue", "import", str(data_dir / "catalogue.csv"), "--replace")
        gateway_certificate = our_certificate(environment)
        amazon_key = generate_organization_key(AMAZON, PASSPHRASE)
        (data_dir / "amazon.crt").write_bytes(amazon_key.certificate_pem)
        amazon = OrganizationProfile(AMAZON, (amazon_key,))
        us_at_amazon = PartnerProfile(GATEWAY_AS2_ID, (gateway_certificate,), canonicalize_as_binary=True)
        # Built before the clock starts: the senders stand in for Amazon, whose CPU is not ours.
        messages = [build_message(amazon, us_at_amazon, purchase_order(number, items), f"{number}.edi",
                                  message_id=f"BENCH{number}-{uuid.uuid4().hex[:8]}")
                    for number in range(1, WARM_UP_POS + count + 1)]
        with amazon_peer(amazon_key, gateway_certificate) as (peer_url, peer_pid):
            edi_gateway(environment, "partners", "add", "--as2-id", AMAZON, "--cert", str(data_dir / "amazon.crt"),
                        "--url", peer_url, "--unsigned-mdn", "--canonicalize-as-binary")
            url = f"http://127.0.0.1:{environment['EDI_GATEWAY_PORT']}"
            database_url = setup.environment.get("EDI_GATEWAY_DATABASE_URL",
                                                 f"sqlite:///{data_dir / 'gateway.sqlite3'}")
            engine = create_engine(database_url)
            # Run in the data folder: ``python -m gateway.cli`` (web, worker) puts its working
            # directory first on sys.path, and a repository there would win over PYTHONPATH.
            with running_server(f"edi-gateway run ({setup.name})", setup.command(), environment,
                                data_dir / "run.log", url, signal.SIGINT, cwd=data_dir) as gateway:
                warm_up, timed = messages[:WARM_UP_POS], messages[WARM_UP_POS:]
                burst_sender((url, warm_up))
                wait_delivered(engine, [po_number_of(n) for n in range(1, WARM_UP_POS + 1)], 120)
                cpu_before = cpu_now(gateway.pid, peer_pid)
                if mode == "burst":
                    share = [(url, timed[i::options.senders]) for i in range(options.senders)]
                    with multiprocessing.Pool(options.senders) as pool:
                        sent = [row for rows in pool.map(burst_sender, share) for row in rows]
                else:
                    sent = steady_send(url, timed, options.rate)
                numbers = [po_number_of(n) for n in range(WARM_UP_POS + 1, WARM_UP_POS + count + 1)]
                wait_delivered(engine, numbers, options.timeout)
                cpu_after = cpu_now(gateway.pid, peer_pid)
            result = measure(setup.name, mode, engine, sent, numbers)
            result.cpu = {whose: cpu_after[whose] - cpu_before[whose] for whose in CPU_COLUMNS}
            return result


def wait_delivered(engine, po_numbers: list[str], timeout: float) -> None:
    """Until every PO's 855 is delivered, or ``timeout`` seconds (the result says how many were)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with engine.connect() as connection:
            done = connection.scalar(select(text("count(*)")).select_from(Message.__table__).where(
                Message.document_type == "855", Message.status == "delivered",
                Message.po_number.in_(po_numbers)))
        if done >= len(po_numbers):
            return
        time.sleep(0.5)


def measure(name: str, mode: str, engine, sent: list[tuple[str, float, bool]], po_numbers: list[str]) -> Result:
    """Each stage's latency from the PO's POST, read from the gateway's records."""
    posted = {}
    for message_id, at, _ok in sent:
        posted[po_number_of(int(message_id.removeprefix("BENCH").split("-")[0]))] = (message_id, at)
    by_message = {message_id: po for po, (message_id, _at) in posted.items()}
    stages: dict[str, dict[str, datetime]] = {stage: {} for stage in STAGES}
    with engine.connect() as connection:
        for transport_id, created_at in connection.execute(
                select(Message.transport_id, Message.created_at).where(Message.direction == "inbound")):
            po = by_message.get((transport_id or "").strip("<>"))
            if po is not None:
                stages["received"][po] = created_at
        for subject_id, at in connection.execute(
                select(AuditEvent.subject_id, AuditEvent.at).where(
                    AuditEvent.action == "purchase_order.sales_order_created")):
            stages["sales order created"][subject_id] = at
        for document_type, po, mdn_at in connection.execute(
                select(Message.document_type, Message.po_number, Message.mdn_at).where(
                    Message.direction == "outbound", Message.status == "delivered",
                    Message.document_type.in_(("997", "855")))):
            stages[f"{document_type} delivered"][po] = mdn_at
    latencies = {stage: [stamps[po].timestamp() - posted[po][1] for po in po_numbers if po in stamps]
                 for stage, stamps in stages.items()}
    delivered = [stages["855 delivered"][po].timestamp() for po in po_numbers if po in stages["855 delivered"]]
    first = min(at for _id, at, _ok in sent)
    return Result(name, mode, len(sent), sum(1 for *_rest, ok in sent if not ok), len(delivered),
                  (max(delivered) - first) if delivered else 0.0, latencies)


# -------------------------------------------------------------------- report


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def print_results(results: list[Result]) -> None:
    print(f"{'setup':10} {'mode':7} {'POs':>5} {'refused':>7} {'855 out':>7} {'seconds':>8} {'POs/s':>7}   "
          + "   ".join(f"{stage + ' p50/p95/max s':>36}" for stage in STAGES)
          + "   CPU ms per PO: " + " ".join(f"{whose:>8}" for whose in CPU_COLUMNS))
    for result in results:
        cells = []
        for stage in STAGES:
            values = result.stages[stage]
            cells.append(f"{statistics.median(values):10.2f} {percentile(values, 0.95):8.2f} {max(values):8.2f}"
                         f" ({len(values):4d})" if values else f"{'none':>36}")
        per_po = [1000 * result.cpu.get(whose, 0.0) / max(result.delivered, 1) for whose in CPU_COLUMNS]
        print(f"{result.setup:10} {result.mode:7} {result.sent:5d} {result.refused:7d} {result.delivered:7d} "
              f"{result.seconds:8.1f} {result.per_second:7.2f}   " + "   ".join(f"{cell:>36}" for cell in cells)
              + f"   {'':15}" + " ".join(f"{value:8.0f}" for value in per_po))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("burst", "steady", "both"), default="both")
    parser.add_argument("--burst", type=int, default=300, help="POs posted at once in burst mode")
    parser.add_argument("--senders", type=int, default=4, help="sender processes in burst mode")
    parser.add_argument("--rate", type=float, default=5, help="POs per second in steady mode")
    parser.add_argument("--seconds", type=float, default=60, help="length of steady mode")
    parser.add_argument("--lines", type=int, default=20, help="PO1 lines per PO")
    parser.add_argument("--setups", default="embedded,pg1,pg2,pg4")
    parser.add_argument("--timeout", type=float, default=900, help="longest wait for the last 855")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    options = parser.parse_args()
    modes = ("burst", "steady") if options.mode == "both" else (options.mode,)
    results = []
    for setup in setups(options.setups.split(","), options.postgres_url, options.redis_url):
        for mode in modes:
            count = options.burst if mode == "burst" else round(options.rate * options.seconds)
            result = run_setup(setup, mode, count, options)
            print_results([result])
            sys.stdout.flush()
            results.append(result)
    print()
    print(f"PO pipeline, {options.lines} lines per PO, {os.cpu_count()} cores; latency from each PO's POST")
    print_results(results)


if __name__ == "__main__":
    main()
