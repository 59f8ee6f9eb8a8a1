"""``edi-gateway serve`` speaks HTTPS itself when given a certificate: AS2 over HTTPS without a proxy.

A real ``serve`` process (gunicorn) is started with a certificate made here for 127.0.0.1;
the client trusts only that certificate, so a handshake that succeeds proves the gateway
presented it. No key or certificate is committed: each run makes its own.
"""
from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from gateway.transport.as2.protocol import MdnStatus, build_message
from tests.fixtures import AMAZON_FIXTURES
from tests.support.processes import kill, start, wait_for
from tests.support.tls_certificates import make_certificate

pytestmark = pytest.mark.slow  # starts `edi-gateway serve`

ORDER = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)  # TLS is the point, not the database
def test_serve_with_a_certificate_answers_healthz_and_as2_over_https_and_refuses_plain_http(stack, tmp_path):
    with socket.socket() as probe:  # the stack's own (plain) server has the free_port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cert_file, key_file = make_certificate(tmp_path)
    environ = {**stack.environment, "EDI_GATEWAY_PORT": str(port), "EDI_GATEWAY_WEB_WORKERS": "1",
               "EDI_GATEWAY_WEB_THREADS": "2", "EDI_GATEWAY_PUBLIC_URL": f"https://127.0.0.1:{port}",
               "EDI_GATEWAY_TLS_CERT_FILE": str(cert_file), "EDI_GATEWAY_TLS_KEY_FILE": str(key_file)}
    trust = ssl.create_default_context(cafile=str(cert_file))
    url = f"https://127.0.0.1:{port}"
    amazon = stack.amazon
    built = build_message(amazon.own_profile(), amazon.gateway_profile(), ORDER, "order.edi")

    server = start(["serve"], environ, tmp_path / "serve.log")
    try:
        with httpx.Client(verify=trust, timeout=30) as client:
            wait_for(lambda: client.get(f"{url}/readyz").status_code == 200, 60, "`edi-gateway serve` over HTTPS")
            health = client.get(f"{url}/healthz")
            with client.stream("GET", f"{url}/healthz") as streamed:
                version = streamed.extensions["network_stream"].get_extra_info("ssl_object").version()
            answer = client.post(f"{url}/as2", content=built.body, headers=built.headers)
        # The same port does not also answer plain HTTP: nothing bypasses TLS by dropping the s.
        with pytest.raises(httpx.HTTPError):
            response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            assert response.status_code >= 400  # a TLS server may answer garbage; never a 200
            raise httpx.HTTPError("plain HTTP was answered with an error")
        # A client that does not trust the certificate refuses the handshake.
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/healthz", timeout=10)
    finally:
        kill(server)

    assert health.status_code == 200
    assert version in ("TLSv1.2", "TLSv1.3"), version
    assert answer.status_code == 200, answer.text
    mdn = amazon.verify_mdn(built, list(answer.headers.items()), answer.content)
    assert (mdn.status, mdn.signed, mdn.mic) == (MdnStatus.PROCESSED, True, built.mic)
