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

    def run(self, *arguments: str, stdin: bytes | None = None, command: str = "cms") -> bytes:
        process = subprocess.run(["openssl", command, *arguments], input=stdin,
                                 capture_output=True, timeout=60)
        assert process.returncode == 0, process.stderr.decode(errors="replace")
        return process.stdout

    def mic(self, content: bytes, digest: str = "sha256") -> str:
        """The MIC of ``content`` as the sender computes it: ``openssl dgst``, base64."""
        return base64.b64encode(self.run(f"-{digest}", "-binary", stdin=content, command="dgst")).decode()

    def key_arguments(self, key: OrganizationKey, name: str) -> list[str]:
        return ["-inkey", self.write(f"{name}.key", key.private_key_pem),
                "-passin", "pass:" + key.passphrase.decode()]


def amazon_signature(openssl: OpenSSL, amazon_key: OrganizationKey, entity: bytes,
                     digest: str = "sha256") -> bytes:
    """A detached CMS signature (DER) made by openssl in binary mode over ``entity``."""
    return openssl.run(
        "-sign", "-binary", "-md", digest, "-outform", "DER",
        "-signer", openssl.write("amazon.crt", amazon_key.certificate_pem),
        *openssl.key_arguments(amazon_key, "amazon"), stdin=entity)


def multipart_signed(entity: bytes, signature: bytes, micalg: str = "sha-256") -> bytes:
    """``entity`` and its detached ``signature`` as a multipart/signed entity (RFC 5751).

    Separate from the signing so that a test can put a tampered signature in it.
    """
    encoded = base64.encodebytes(signature).replace(b"\n", b"\r\n")
    return (
        f'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
        f'micalg={micalg}; boundary="{BOUNDARY}"\r\n\r\n'
        f"--{BOUNDARY}\r\n".encode() + entity + f"\r\n--{BOUNDARY}\r\n".encode()
        + b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
          b"Content-Transfer-Encoding: base64\r\n"
          b"Content-Disposition: attachment; filename=smime.p7s\r\n\r\n"
        + encoded + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def amazon_signs(openssl: OpenSSL, amazon_key: OrganizationKey, entity: bytes) -> bytes:
    """A multipart/signed entity, signed by openssl in binary mode over ``entity``."""
    return multipart_signed(entity, amazon_signature(openssl, amazon_key, entity))


def mic_of(content: bytes, digest: str = "sha256") -> str:
    """The MIC (RFC 4130 section 7.3.1) of ``content``, base64, without running openssl."""
    return base64.b64encode(hashlib.new(digest, content).digest()).decode()
