"""A bare pyas2lib receiver in Flask, no database: the baseline row of ``as2_bench.py``.

Bench-only code, not part of the product. It does what a minimal pyas2lib receiver
does and nothing more, so that the bench can set our full stack beside the bare library
on the same machine: the crypto floor (``openssl speed``) and Python's speed move very
differently from one CPU to another, so a share of this baseline says more than a share
of the floor about what our own code costs.

- ``POST /as2``: ``pyas2lib.Message().parse`` on the request (headers, blank line, body)
  and the synchronous signed MDN pyas2lib builds, status 200. No database, no queue, no
  duplicate check, no logging per request.
- ``GET /healthz``: 200, only so that the bench knows a worker is up (as with the
  gateway's).

The Organization and the Partner are built once, when a worker imports this module: keys
are loaded once, as any long-running receiver would. Their files and passphrase come
from the environment the bench sets (``BENCH_AS2_*``). The bench serves this module with
gunicorn, with the gateway's default numbers of workers and threads.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from flask import Flask, Response, request

# pyas2lib's pinned oscrypto only loads on OpenSSL 3.0.10+ once the gateway's import hook
# is installed (gateway/transport/as2/compat.py). Importing gateway.transport.as2 installs it; the call only
# makes that explicit (it does nothing the second time).
from gateway.transport.as2.compat import install_oscrypto_version_fix

install_oscrypto_version_fix()

from pyas2lib import Message, Organization, Partner  # noqa: E402  (needs the hook above)

# Our key bundle: the encrypted private key PEM followed by our certificate, as pyas2lib
# loads it (gateway.partners.certificates.pyas2lib_key_bundle).
_key_bundle = Path(os.environ["BENCH_AS2_KEY_BUNDLE"]).read_bytes()
_passphrase = os.environ["BENCH_AS2_KEY_PASSPHRASE"].encode()
_partner_certificate = Path(os.environ["BENCH_AS2_PARTNER_CERTIFICATE"]).read_bytes()

ORGANIZATION = Organization(
    as2_name=os.environ["BENCH_AS2_ORGANIZATION"],
    sign_key=_key_bundle,
    sign_key_pass=_passphrase,
    decrypt_key=_key_bundle,
    decrypt_key_pass=_passphrase,
    # Looked up once, as the gateway does: without a domain pyas2lib's make_msgid
    # resolves the host name for every MDN.
    domain=socket.getfqdn(),
)
# The gateway's partner defaults: signed and encrypted messages required, self-signed
# certificates accepted without a chain check.
PARTNER = Partner(
    as2_name=os.environ["BENCH_AS2_PARTNER"],
    verify_cert=_partner_certificate,
    encrypt_cert=_partner_certificate,
    validate_certs=False,
    sign=True,
    encrypt=True,
)

app = Flask(__name__)


@app.post("/as2")
def receive_as2() -> Response:
    """Parse the message with pyas2lib and answer with the MDN it built."""
    # As gateway/transport/as2/protocol.py ``_raw_message``: WSGI hands header values over as
    # latin-1 strings, so latin-1 gives back the bytes received.
    head = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
    raw = head.encode("latin-1", errors="replace") + b"\r\n" + request.get_data()
    _status, _exception, mdn = Message().parse(
        raw, find_org_cb=lambda _as2_to: ORGANIZATION, find_partner_cb=lambda _as2_from: PARTNER)
    if mdn is None:  # the sender asked for no MDN
        return Response(status=200)
    return Response(mdn.content, status=200, headers=mdn.headers)


@app.get("/healthz")
def healthz() -> str:
    return "ok"
