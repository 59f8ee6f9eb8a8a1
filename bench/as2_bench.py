"""AS2 inbound throughput, full stack and protocol only, beside the bare RSA cost, in one run.

Every figure is for the same work: a signed + encrypted 850 answered with a signed
synchronous MDN, from 4 concurrent senders (processes: the work is CPU-bound). They are
measured one after the other in one run because the machine is shared and its speed
varies; only figures from the same run are compared.

- crypto floor: each message costs two RSA private operations (unwrap the content key,
  sign the MDN), so ``openssl speed -multi 2 rsa2048`` sign/s divided by two is the
  rate no implementation on this machine can beat.
- protocol only: ``gateway.transport.as2.receiver`` called directly, no HTTP, no database.
- bare pyas2lib receiver: ``bench/bare_pyas2lib_app.py``, pyas2lib's own parse and MDN in
  Flask under gunicorn (the gateway's default workers and threads), no database. The
  baseline a reader compares the full stack with: the crypto floor and Python's speed
  move very differently from one CPU to another.
- full stack: ``edi-gateway serve`` (web only) and ``edi-gateway run`` (as ``make run``
  starts it) as separate programs on the embedded default
  (SQLite, filesystem broker) in a temporary data folder, set up with the CLI as an
  operator would (``init``, ``partners add --cert``, ``certs export-org``), with the
  senders POSTing over HTTP. A message counts when the answer is 200 and its MDN says
  ``processed`` with the message's MIC; anything else is an error. With ``serve`` no
  worker runs (the queued processing waits in the broker folder); with ``run`` the
  worker processes each message on the same cores, as in ``make run``.

    .venv/bin/python bench/as2_bench.py [--seconds 20] [--senders 4]
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import multiprocessing
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from gateway.transport.as2.protocol import (
    InboundStatus,
    MdnStatus,
    OrganizationProfile,
    OutboundMessage,
    PartnerProfile,
    build_message,
    check_mdn,
    receive,
)
from gateway.partners.certificates import generate_organization_key, write_private_key
from gateway.partners.certificates import pyas2lib_key_bundle
from gateway.platform.config import load_settings

PURCHASE_ORDER = (
    b"ISA*00*          *00*          *ZZ*AMAZON         *ZZ*VENDOR         "
    b"*261127*0839*U*00401*000000001*0*P*>~\n"
    b"GS*PO*AMAZON*VENDOR*20261127*0839*1*X*004010~\nST*850*0001~\n"
    b"BEG*00*NE*T8MDR6PB**20261127~\nDTM*064*20261201~\nDTM*063*20261208~\n"
    b"N1*ST**92*RNO4~\nPO1*1*12*EA*9.99**BP*B00EXAMPLE~\nPO1*2*6*EA*19.5**EN*4006381333931~\n"
    b"CTT*2*18~\nSE*10*0001~\nGE*1*1~\nIEA*1*000000001~\n"
)
# The command installed beside this interpreter, i.e. the venv's.
EDI_GATEWAY = str(Path(sys.executable).with_name("edi-gateway"))
# The repository root: the bare receiver is served as ``bench.bare_pyas2lib_app`` from it.
REPOSITORY = Path(__file__).resolve().parent.parent
# The gateway's MDN and pyas2lib's (the bare receiver) both write this line, and the MIC
# line ``http_sender`` looks for, in these exact bytes: one counting rule serves both.
PROCESSED_LINE = b"Disposition: automatic-action/MDN-sent-automatically; processed\r\n"
# Distinct messages built per sender before the clock starts (see ``full_stack``).
MESSAGES_PER_SENDER = 8


@dataclass(frozen=True)
class Rate:
    """One row of the table: messages counted over a wall-clock time."""

    messages: int
    errors: int
    seconds: float
    # Full stack only: inbound messages stored by the end of the phase (warm-up included),
    # and how many of them the worker had processed (the rest wait in the queue).
    stored: int | None = None
    processed: int | None = None

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds


# ------------------------------------------------------------------ crypto floor


def rsa_private_operations_per_second(processes: int = 2, seconds: int = 5) -> float:
    """``openssl speed -multi N rsa2048`` sign/s: RSA-2048 private operations, all cores."""
    output = subprocess.run(
        ["openssl", "speed", "-multi", str(processes), "-seconds", str(seconds), "-mr", "rsa2048"],
        capture_output=True, text=True, check=True).stdout
    # The last "+F2:<n>:2048:<sign/s>:<verify/s>" line is the total over all processes.
    totals = re.findall(r"^\+F2:\d+:2048:([\d.]+):([\d.]+)$", output, re.MULTILINE)
    return float(totals[-1][0])


# ----------------------------------------------------------------- protocol only


def sender(arguments: tuple) -> tuple[int, int]:
    """Receive messages in a loop until the deadline; return (messages, errors)."""
    us, amazon_partner, messages, deadline = arguments
    done = errors = 0
    while time.time() < deadline:
        message = messages[done % len(messages)]
        result = receive(message.headers, message.body, lambda _: us,
                         lambda _: amazon_partner, lambda _message_id, _partner: False)
        if result.status is not InboundStatus.PROCESSED or not (result.mdn and result.mdn.signed):
            errors += 1
        done += 1
    return done, errors


def prepared_messages(count: int) -> tuple[OrganizationProfile, PartnerProfile, list[OutboundMessage]]:
    our_key = generate_organization_key("VENDOR", b"bench passphrase")
    amazon_key = generate_organization_key("AMAZON", b"bench passphrase")
    us = OrganizationProfile("VENDOR", (our_key,))
    amazon = OrganizationProfile("AMAZON", (amazon_key,))
    amazon_partner = PartnerProfile("AMAZON", (amazon_key.certificate_pem,))
    us_at_amazon = PartnerProfile("VENDOR", (our_key.certificate_pem,))
    messages = [build_message(amazon, us_at_amazon, PURCHASE_ORDER, "850.edi")
                for _ in range(count)]
    return us, amazon_partner, messages


def protocol_only(seconds: float, senders: int) -> Rate:
    """``gateway.transport.as2.receiver`` alone, on in-memory profiles; every message received counts."""
    us, amazon_partner, messages = prepared_messages(50)
    deadline = time.time() + seconds
    with multiprocessing.Pool(senders) as pool:
        started = time.time()
        counts = pool.map(sender, [(us, amazon_partner, messages, deadline)] * senders)
        elapsed = time.time() - started
    return Rate(sum(done for done, _ in counts), sum(failed for _, failed in counts), elapsed)


# -------------------------------------------------------------------- full stack


def edi_gateway(environment: dict[str, str], *arguments: str) -> None:
    """Run one ``edi-gateway`` command as an operator would; its output is not needed."""
    subprocess.run([EDI_GATEWAY, *arguments], env=environment, check=True, capture_output=True, timeout=120)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_gateway(environment: dict[str, str], log: Path, command: str) -> Iterator[str]:
    """``edi-gateway serve`` (web only) or ``edi-gateway run`` (what ``make run`` starts: web,
    worker, beat and the sandbox IMS) until the block ends, then a graceful stop."""
    url = f"http://127.0.0.1:{environment['EDI_GATEWAY_PORT']}"
    with running_server(f"edi-gateway {command}", [EDI_GATEWAY, command], environment, log, url,
                        signal.SIGINT if command == "run" else signal.SIGTERM):
        yield url


@contextmanager
def running_server(name: str, command: list[str], environment: dict[str, str], log: Path, url: str,
                   stop: signal.Signals, cwd: Path | None = None) -> Iterator[subprocess.Popen]:
    """Run ``command`` until the block ends, once ``url``/healthz answers, then stop it
    gracefully with ``stop``; an unclean stop is reported, as it would mean requests can
    be cut off in production. Shared by the gateway and the bare pyas2lib receiver, so
    both are started, waited for and stopped alike."""
    with open(log, "wb") as output:
        server = subprocess.Popen(command, env=environment, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not _answers(f"{url}/healthz"):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n{log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield server
        finally:
            server.send_signal(stop)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    if server.returncode != 0:
        print(f"{name} did not stop cleanly (exit {server.returncode}):\n{log.read_text()[-2000:]}",
              file=sys.stderr)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def our_certificate(environment: dict[str, str]) -> bytes:
    """The certificate ``init`` made for our organisation, as a partner gets it."""
    return subprocess.run([EDI_GATEWAY, "certs", "export-org"], env=environment, check=True, capture_output=True,
                          timeout=120).stdout


def amazon_headers(message: OutboundMessage) -> tuple[str, dict[str, str]]:
    """A new Message-ID, without an @-domain as Amazon sends it, and the headers carrying it.

    The Message-ID is only in the HTTP headers, not in the encrypted body, so a body built
    once can be sent again as a new message: the receiver's work is the same.
    """
    message_id = f"BENCH{uuid.uuid4().hex}"
    return message_id, {**message.headers, "Message-ID": f"<{message_id}>"}


def http_sender(arguments: tuple) -> tuple[int, int]:
    """POST messages until the deadline; return (answers with a processed MDN, errors).

    The senders stand in for Amazon, whose CPU is not ours, yet here they share the two
    cores with the server measured. So they are as light as a Python sender can be: the
    standard library's ``http.client`` on one keep-alive connection (about half a
    millisecond less CPU per request than httpx), and the MDN is checked by its
    Disposition and MIC lines rather than by ``check_mdn``; the warm-up verifies some
    MDNs fully.
    """
    url, messages, deadline = arguments
    address = urllib.parse.urlsplit(url)
    processed = errors = 0
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    while time.time() < deadline:
        message = messages[(processed + errors) % len(messages)]
        _, headers = amazon_headers(message)
        try:
            connection.request("POST", "/as2", body=message.body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()  # the next request opens a new connection
            errors += 1
            continue
        # The value proves it; the name is spelt "sha256" by pyas2lib's MDNs, "sha-256" by ours.
        mic_line = f"Received-content-MIC: {message.mic}, ".encode()
        if response.status == 200 and PROCESSED_LINE in content and mic_line in content:
            processed += 1
        else:
            errors += 1
    connection.close()
    return processed, errors


def full_stack(seconds: float, senders: int, command: str) -> Rate:
    """A running ``edi-gateway serve`` or ``run`` over HTTP, set up through the CLI in a
    temporary folder. With ``run`` the worker processes every 850 as it arrives (validation,
    997, purchase order, sales order in the sandbox IMS, 855) on the same two cores; the
    997s and 855s go to a partner URL nobody listens on, so their sends fail fast and wait
    for a retry, as they would while Amazon is unreachable.

    Messages are built before the clock starts: ``build_message`` costs about as much CPU
    as receiving, and on a small machine senders building as they go would measure the
    senders, not the gateway.
    """
    with tempfile.TemporaryDirectory(prefix="as2-bench-") as folder:
        data_dir = Path(folder)
        environment = {name: value for name, value in os.environ.items() if not name.startswith("EDI_GATEWAY_")}
        environment.update(EDI_GATEWAY_DATA_DIR=str(data_dir), EDI_GATEWAY_PORT=str(free_port()),
                           EDI_GATEWAY_SANDBOX_IMS_PORT=str(free_port()))
        edi_gateway(environment, "init")
        amazon_key = generate_organization_key("AMAZON", b"bench passphrase")
        (data_dir / "amazon.crt").write_bytes(amazon_key.certificate_pem)
        edi_gateway(environment, "partners", "add", "--as2-id", "AMAZON", "--cert", str(data_dir / "amazon.crt"),
                    "--url", f"http://127.0.0.1:{free_port()}/as2")
        amazon = OrganizationProfile("AMAZON", (amazon_key,))
        us_at_amazon = PartnerProfile("ACMEBRANDS", (our_certificate(environment),))
        messages = [build_message(amazon, us_at_amazon, PURCHASE_ORDER, "850.edi")
                    for _ in range(senders * MESSAGES_PER_SENDER)]

        with running_gateway(environment, data_dir / f"{command}.log", command) as url:
            warm_up(url, amazon, us_at_amazon, messages[:senders])
            rate = timed_senders(url, messages, seconds, senders)
            stored, processed = inbound_messages(data_dir / "gateway.sqlite3")
            return dataclasses.replace(rate, stored=stored, processed=processed)


def timed_senders(url: str, messages: list[OutboundMessage], seconds: float, senders: int) -> Rate:
    """``senders`` processes running ``http_sender`` for ``seconds``, each on its share of ``messages``."""
    deadline = time.time() + seconds
    with multiprocessing.Pool(senders) as pool:
        started = time.time()
        counts = pool.map(http_sender, [(url, messages[i::senders], deadline) for i in range(senders)])
        elapsed = time.time() - started
    return Rate(sum(done for done, _ in counts), sum(failed for _, failed in counts), elapsed)


def inbound_messages(database: Path) -> tuple[int, int]:
    """Inbound messages stored, and those the worker processed (validated, 997, purchase order)."""
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'processed') FROM message "
            "WHERE direction = 'inbound'").fetchone()


def warm_up(url: str, amazon: OrganizationProfile, us_at_amazon: PartnerProfile,
            messages: list[OutboundMessage]) -> None:
    """Send a few messages before the clock starts (the server loads keys on first use)
    and verify their MDNs fully: signature, disposition, and the MIC we sent."""
    for message in messages:
        message_id, headers = amazon_headers(message)
        response = httpx.post(f"{url}/as2", content=message.body, headers=headers, timeout=30)
        mdn = check_mdn(amazon, us_at_amazon, list(response.headers.multi_items()), response.content,
                        message_id, message.mic)
        if response.status_code != 200 or mdn.status is not MdnStatus.PROCESSED or not mdn.signed:
            raise RuntimeError(f"warm-up message refused: HTTP {response.status_code}, {mdn}")


# --------------------------------------------------------- bare pyas2lib receiver


def bare_pyas2lib(seconds: float, senders: int) -> Rate:
    """``bench/bare_pyas2lib_app.py`` under gunicorn, sent to and counted exactly as the
    full stack is (same messages, senders, warm-up and counting rules).

    gunicorn gets the gateway's default numbers of workers and threads (``load_settings``
    on an empty environment, as ``edi-gateway serve`` reads them), so that the comparison
    stays fair if those defaults change. Our key bundle is written 0600 to a temporary
    folder, removed afterwards, as the gateway keeps its keys.
    """
    settings = load_settings({})
    passphrase = b"bench passphrase"
    our_key = generate_organization_key("VENDOR", passphrase)
    amazon_key = generate_organization_key("AMAZON", passphrase)
    amazon = OrganizationProfile("AMAZON", (amazon_key,))
    us_at_amazon = PartnerProfile("VENDOR", (our_key.certificate_pem,))
    messages = [build_message(amazon, us_at_amazon, PURCHASE_ORDER, "850.edi")
                for _ in range(senders * MESSAGES_PER_SENDER)]

    with tempfile.TemporaryDirectory(prefix="as2-bench-bare-") as temporary:
        folder = Path(temporary)
        write_private_key(folder / "vendor.pem", pyas2lib_key_bundle(our_key))  # 0600
        (folder / "amazon.crt").write_bytes(amazon_key.certificate_pem)
        port = free_port()
        environment = {name: value for name, value in os.environ.items() if not name.startswith("EDI_GATEWAY_")}
        environment.update(BENCH_AS2_ORGANIZATION="VENDOR", BENCH_AS2_KEY_BUNDLE=str(folder / "vendor.pem"),
                           BENCH_AS2_KEY_PASSPHRASE=passphrase.decode(), BENCH_AS2_PARTNER="AMAZON",
                           BENCH_AS2_PARTNER_CERTIFICATE=str(folder / "amazon.crt"))
        command = [sys.executable, "-m", "gunicorn", "--workers", str(settings.web_workers),
                   "--threads", str(settings.web_threads), "--worker-class", "gthread",
                   "--bind", f"127.0.0.1:{port}", "bench.bare_pyas2lib_app:app"]
        url = f"http://127.0.0.1:{port}"
        # gunicorn stops gracefully on SIGTERM, as ``edi-gateway serve`` does.
        with running_server("bare pyas2lib receiver", command, environment, folder / "gunicorn.log", url,
                            signal.SIGTERM, cwd=REPOSITORY):
            warm_up(url, amazon, us_at_amazon, messages[:senders])
            return timed_senders(url, messages, seconds, senders)


# ------------------------------------------------------------------------ report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20,
                        help="length of each phase (openssl speed gets half for signing, half for verifying)")
    parser.add_argument("--senders", type=int, default=4)
    options = parser.parse_args()

    floor = rsa_private_operations_per_second(2, max(1, round(options.seconds / 2))) / 2
    protocol = protocol_only(options.seconds, options.senders)
    bare = bare_pyas2lib(options.seconds, options.senders)
    served = full_stack(options.seconds, options.senders, "serve")
    made_run = full_stack(options.seconds, options.senders, "run")

    print(f"AS2 inbound: signed + encrypted 850, signed sync MDN; {os.cpu_count()} cores, "
          f"{options.senders} senders, {options.seconds:g} s per phase")
    print()
    print(f"{'':58} {'msg/s':>8} {'messages':>9} {'errors':>7} {'of floor':>9}")
    print(f"{'crypto floor (openssl speed -multi 2 rsa2048, / 2)':58} {floor:8.1f} {'':>9} {'':>7} {100:8.1f}%")
    for name, rate in (("protocol only (gateway.transport.as2.receiver, no HTTP/DB)", protocol),
                       ("bare pyas2lib receiver (Flask + gunicorn, no database)", bare),
                       ("web only (edi-gateway serve, HTTP, SQLite)", served),
                       ("as make run starts it (run: web + worker + beat + IMS)", made_run)):
        print(f"{name:58} {rate.per_second:8.1f} {rate.messages:9d} {rate.errors:7d} "
              f"{100 * rate.per_second / floor:8.1f}%")
    print()
    share = f"{100 * made_run.per_second / bare.per_second:.0f}%" if bare.messages else "n/a (no bare messages)"
    print(f"full stack as make run starts it, as a share of the bare pyas2lib receiver: {share}")
    print(f"make run phase: the worker (at a lower priority) processed {made_run.processed} of the "
          f"{made_run.stored} messages stored; the rest wait in its queue")
    print(f"issue target: as make run starts it, >= 6% of the floor ({0.06 * floor:.0f} msg/s) with 0 errors: "
          f"{'met' if made_run.per_second >= 0.06 * floor and made_run.errors == 0 else 'NOT met'}")

if __name__ == "__main__":
    main()
