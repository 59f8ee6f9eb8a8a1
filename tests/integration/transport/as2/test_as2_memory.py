"""A compression bomb against ``edi-gateway serve`` (gunicorn, as in production): an unsigned
message from a partner that must sign is refused before it is inflated, one that claims a
signature inside its compression is inflated only to the cap for unauthenticated content,
and the processes' peak memory shows it (95 MB inflated took ~1 GB before).

Anyone can encrypt to our public certificate, so the bomb is what a stranger can send: ~100 KB
that inflates to ~95 MB, compressed, encrypted, not signed, claiming to be AMAZON.
"""
from __future__ import annotations

import socket
import zlib
from pathlib import Path

import httpx
import pytest
from asn1crypto import cms
from oscrypto.asymmetric import load_certificate
from pyas2lib.cms import encrypt_message

from gateway.transport.as2.protocol import build_message
from tests.fixtures import AMAZON_FIXTURES
from tests.support.processes import kill, start, wait_for

pytestmark = pytest.mark.slow  # starts `edi-gateway serve`

INFLATED = 95 * 1024 * 1024
MAX_GROWTH = 150 * 1024 * 1024


def compressed_data(content: bytes) -> bytes:
    """A CMS CompressedData (RFC 3274, zlib) around ``content``, built without holding any
    copy of the inflated bytes but ``content`` itself."""
    return cms.ContentInfo({
        "content_type": "compressed_data",
        "content": cms.CompressedData({
            "version": "v0",
            "compression_algorithm": {"algorithm": "zlib"},
            "encap_content_info": {"content_type": "data", "content": zlib.compress(content, 9)},
        }),
    }).dump()


UNSIGNED = b"Content-Type: application/edi-x12\r\n\r\n"
# Claims a signature inside the compression (RFC 5402 allows it): only inflating tells.
SIGNED_INSIDE = (b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha256; '
                 b'boundary="b"\r\n\r\n--b\r\nContent-Type: application/edi-x12\r\n\r\n')


def bomb(gateway_certificate: bytes, head: bytes) -> tuple[dict[str, str], bytes]:
    inner = head + b"~" * INFLATED
    if head == SIGNED_INSIDE:
        inner += b"\r\n--b\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAAA\r\n--b--\r\n"
    compressed = (b'Content-Type: application/pkcs7-mime; smime-type="compressed-data"; name="smime.p7z"\r\n'
                  b"Content-Transfer-Encoding: binary\r\n\r\n" + compressed_data(inner))
    del inner
    body = encrypt_message(compressed, "aes_256_cbc", load_certificate(gateway_certificate))
    headers = {"AS2-From": "AMAZON", "AS2-To": "ACMEBRANDS", "AS2-Version": "1.2", "Message-ID": "<bomb-1@x>",
               "Content-Type": 'application/pkcs7-mime; smime-type="enveloped-data"; name="smime.p7m"',
               "Disposition-Notification-To": "bomb@x",
               "Disposition-Notification-Options": "signed-receipt-protocol=optional, pkcs7-signature; "
                                                   "signed-receipt-micalg=optional, sha256"}
    return headers, body


def family(root: int) -> list[int]:
    """``root`` and every process under it (gunicorn's arbiter and its workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def peak_rss(pid: int) -> int:
    """VmHWM: the most resident memory the process has ever had, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM for process {pid}")


@pytest.mark.parametrize("stack", ["sqlite"], indirect=True)  # memory of the web process, not the database
@pytest.mark.parametrize("head, disposition", [
    (UNSIGNED, b"insufficient-message-security"),  # refused from its first kilobytes: must be signed
    (SIGNED_INSIDE, b"decompression-failed"),  # inflated only up to the cap for unauthenticated content
], ids=["unsigned", "signature-inside"])
def test_a_compression_bomb_from_a_partner_that_must_sign_costs_little_memory(stack, tmp_path, head, disposition):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environ = {**stack.environment, "EDI_GATEWAY_PORT": str(port), "EDI_GATEWAY_WEB_WORKERS": "1",
               "EDI_GATEWAY_WEB_THREADS": "2"}
    url = f"http://127.0.0.1:{port}"
    headers, body = bomb(stack.amazon.gateway_certificate, head)
    assert len(body) < 150 * 1024, len(body)

    server = start(["serve"], environ, tmp_path / "serve.log")
    try:
        wait_for(lambda: httpx.get(f"{url}/readyz").status_code == 200, 60, "`edi-gateway serve` to be ready")
        # A real message first: the worker's imports, keys and caches are loaded before the baseline.
        built = build_message(stack.amazon.own_profile(), stack.amazon.gateway_profile(),
                              (AMAZON_FIXTURES / "850-single-po.edi").read_bytes(), "order.edi")
        assert httpx.post(f"{url}/as2", content=built.body, headers=built.headers, timeout=60).status_code == 200
        processes = family(server.pid)
        before = {pid: peak_rss(pid) for pid in processes}

        response = httpx.post(f"{url}/as2", content=body, headers=headers, timeout=120)

        growth = max(peak_rss(pid) - before[pid] for pid in processes)
    finally:
        kill(server)

    assert response.status_code == 200, response.text
    assert disposition in response.content, "a negative MDN saying why"
    assert growth < MAX_GROWTH, f"peak memory grew by {growth / 2**20:.0f} MiB"
