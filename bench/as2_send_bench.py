"""What the AS2 sender's HTTP client costs per send over HTTPS: a new client per send (as
``httpx.post``, the sender before session 12) beside one client per process that keeps its
connections (``gateway.transport.as2.sender._client``), both in the same run.

A partner's HTTPS endpoint (HTTP/1.1, keep-alive, a self-signed certificate made for the
run) runs in its own process; the sender's CPU is measured in this process alone
(``time.process_time``), for ``--sends`` POSTs of an 8 KB body each. A new client opens a
TCP connection and does a TLS handshake per send; the kept one does them once.

    .venv/bin/python bench/as2_send_bench.py [--sends 300]
"""
from __future__ import annotations

import argparse
import multiprocessing
import ssl
import sys
import tempfile
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.support
from tests.support.tls_certificates import make_certificate  # noqa: E402  (the tests' certificate maker)

BODY = b"x" * 8000


class _Partner(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_arguments) -> None:
        pass


def serve(certificate: Path, key: Path, ready: multiprocessing.Queue) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Partner)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    ready.put(server.server_port)
    server.serve_forever()


def cpu_per_send(post: Callable[[], httpx.Response], sends: int) -> float:
    """Milliseconds of this process's CPU per send, after five to warm up."""
    for _ in range(5):
        post()
    start = time.process_time()
    for _ in range(sends):
        assert post().status_code == 200
    return 1000 * (time.process_time() - start) / sends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sends", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # as Amazon's endpoints present
        certificate, key = make_certificate(Path(folder), rsa_key)
        ready: multiprocessing.Queue = multiprocessing.Queue()
        partner = multiprocessing.Process(target=serve, args=(certificate, key, ready), daemon=True)
        partner.start()
        try:
            url = f"https://127.0.0.1:{ready.get(timeout=10)}/as2"
            context = ssl.create_default_context(cafile=str(certificate))  # one per process, as tls.context()
            kept = httpx.Client(verify=context)
            rows = [("a new client per send (httpx.post)",
                     cpu_per_send(lambda: httpx.post(url, content=BODY, verify=context), options.sends)),
                    ("one client per process, kept", cpu_per_send(lambda: kept.post(url, content=BODY), options.sends))]
        finally:
            partner.terminate()
            partner.join()
    print(f"AS2 send over HTTPS, {len(BODY)} bytes, {options.sends} sends; the sender's CPU per send")
    for label, milliseconds in rows:
        print(f"{label:40s} {milliseconds:6.2f} ms")


if __name__ == "__main__":
    main()
