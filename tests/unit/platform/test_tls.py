"""Outgoing calls share one TLS context per process: building one costs about 50 ms."""
import ssl

import httpx

from gateway.platform import tls
from gateway.ims.client import ImsClient


def counting_contexts(monkeypatch) -> list[int]:
    built: list[int] = []
    real = ssl.create_default_context

    def create_default_context(*arguments, **keywords):
        built.append(1)
        return real(*arguments, **keywords)

    monkeypatch.setattr(ssl, "create_default_context", create_default_context)
    tls.context.cache_clear()
    return built


def test_ims_clients_and_posts_reuse_the_process_tls_context(monkeypatch):
    built = counting_contexts(monkeypatch)
    for _ in range(3):
        ImsClient("https://ims.example", "a-token").close()
        try:
            httpx.post("http://127.0.0.1:9/as2", content=b"", timeout=2, verify=tls.context())
        except httpx.TransportError:
            pass  # nobody listens there; the client was made all the same
    assert len(built) == 1


def test_the_context_verifies_certificates_as_httpx_does_by_default():
    context = tls.context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.get_ca_certs(), "the CA bundle is loaded"
