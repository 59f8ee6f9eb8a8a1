"""The TLS context of every outgoing call: AS2 to partners, the IMS, the alert webhook.

httpx builds a new SSL context, loading the whole CA bundle, for each client it makes,
and ``httpx.post`` makes a client per call: about 50 ms of CPU each time, more than
signing and encrypting an AS2 message. A worker makes several calls per purchase order
(the 997, the IMS order, the 855), so each process builds the context once, with httpx's
own defaults (certifi's bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), and every call
passes it as ``verify=tls.context()``.
"""
from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def context() -> ssl.SSLContext:
    """The process's client TLS context (certificates verified, as httpx does by default)."""
    return httpx.create_ssl_context()
