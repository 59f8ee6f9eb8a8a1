"""``openssl cms`` playing an AS2 partner, for interop tests at protocol level and over HTTP.

OpenSSL is an implementation independent of pyas2lib and of ``cryptography``'s PKCS7
builder, and the MIME around its CMS output is written by hand here, as another AS2
product would write it, so that neither side of a test is pyas2lib checking itself.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
from pathlib import Path

from gateway.partners.certificates import OrganizationKey

BOUNDARY = "----=_Part_20261127_AMZN"


class OpenSSL:
    """Runs ``openssl cms`` with the keys of the test, written to a temporary folder."""

    def __init__(self, folder: Path):
        self.folder = folder

    def write(self, name: str, data: bytes) -> str:
        path = self.folder / name
        path.write_bytes(data)
        return str(path)

    def run(self, *arguments: str, stdin: bytes | None = None) -> bytes:
        process = subprocess.run(["openssl", "cms", *arguments], input=stdin,
                                 capture_output=True, timeout=60)
        assert process.returncode == 0, process.stderr.decode(errors="replace")
        return process.stdout

    def key_arguments(self, key: OrganizationKey, name: str) -> list[str]:
        return ["-inkey", self.write(f"{name}.key", key.private_key_pem),
                "-passin", "pass:" + key.passphrase.decode()]


def amazon_signature(openssl: OpenSSL, amazon_key: OrganizationKey, entity: bytes) -> bytes:
    """A detached CMS signature (DER) made by openssl in binary mode over ``entity``."""
    return openssl.run(
        "-sign", "-binary", "-md", "sha256", "-outform", "DER",
        "-signer", openssl.write("amazon.crt", amazon_key.certificate_pem),
        *openssl.key_arguments(amazon_key, "amazon"), stdin=entity)


def multipart_signed(entity: bytes, signature: bytes) -> bytes:
    """``entity`` and its detached ``signature`` as a multipart/signed entity (RFC 5751).

    Separate from the signing so that a test can put a tampered signature in it.
    """
    encoded = base64.encodebytes(signature).replace(b"\n", b"\r\n")
    return (
        f'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
        f'micalg=sha-256; boundary="{BOUNDARY}"\r\n\r\n'
        f"--{BOUNDARY}\r\n".encode() + entity + f"\r\n--{BOUNDARY}\r\n".encode()
        + b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
          b"Content-Transfer-Encoding: base64\r\n"
          b"Content-Disposition: attachment; filename=smime.p7s\r\n\r\n"
        + encoded + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def amazon_signs(openssl: OpenSSL, amazon_key: OrganizationKey, entity: bytes) -> bytes:
    """A multipart/signed entity, signed by openssl in binary mode over ``entity``."""
    return multipart_signed(entity, amazon_signature(openssl, amazon_key, entity))


def mic_of(content: bytes) -> str:
    """The SHA-256 MIC (RFC 4130 section 7.3.1) of the signed content, base64."""
    return base64.b64encode(hashlib.sha256(content).digest()).decode()
