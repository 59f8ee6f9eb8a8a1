"""Our key pairs and partner certificates."""

from __future__ import annotations

import datetime
import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gateway.partners import certificates
from gateway.partners.certificates import (
    ENCRYPTED_KEY_PEM_HEADER,
    CertificateError,
    OrganizationKey,
    PrivateKeyError,
    certificate_pem,
    describe_certificate,
    generate_organization_key,
    load_certificate,
    load_private_key,
    pyas2lib_key_bundle,
    write_private_key,
)


def test_a_generated_key_pair_is_self_signed_rsa_for_the_as2_id(our_key: OrganizationKey):
    certificate = x509.load_pem_x509_certificate(our_key.certificate_pem)
    private_key = load_private_key(our_key.private_key_pem, b"our passphrase")

    assert isinstance(private_key, rsa.RSAPrivateKey)
    assert private_key.key_size >= 2048
    assert certificate.subject == certificate.issuer
    assert certificate.subject.rfc4514_string() == "CN=GATEWAY"
    assert certificate.public_key() == private_key.public_key()
    assert our_key.private_key_pem.startswith(ENCRYPTED_KEY_PEM_HEADER)


def test_describe_certificate_reports_what_certs_list_shows(our_key: OrganizationKey):
    info = describe_certificate(our_key.certificate_pem)
    der = x509.load_pem_x509_certificate(our_key.certificate_pem).public_bytes(
        serialization.Encoding.DER)

    assert info.subject == info.issuer == "CN=GATEWAY"
    assert info.fingerprint_sha256 == hashlib.sha256(der).digest().hex(":").upper()
    assert info.serial_number > 0
    assert info.not_after - info.not_before == datetime.timedelta(days=30)
    assert info.days_to_expiry() == 29
    assert info.days_to_expiry(info.not_after + datetime.timedelta(days=1)) == -1
    assert describe_certificate(der) == info


def test_organisation_name_and_validity_are_parameters():
    key = generate_organization_key("ACME-AS2", b"pw", valid_days=400,
                                    organization_name="Acme Brands", key_size=3072)

    info = describe_certificate(key.certificate_pem)
    assert info.subject == "O=Acme Brands,CN=ACME-AS2"
    assert info.not_after - info.not_before == datetime.timedelta(days=400)
    assert load_private_key(key.private_key_pem, b"pw").key_size == 3072


@pytest.mark.parametrize("arguments", [{"key_size": 1024}, {"valid_days": 0}])
def test_weak_or_empty_key_pairs_are_refused(arguments):
    with pytest.raises(ValueError):
        generate_organization_key("ACME", b"pw", **arguments)


def test_a_passphrase_is_required():
    with pytest.raises(PrivateKeyError):
        generate_organization_key("ACME", b"")


def test_a_wrong_passphrase_is_a_named_error_that_does_not_echo_it(our_key: OrganizationKey):
    with pytest.raises(PrivateKeyError) as raised:
        load_private_key(our_key.private_key_pem, b"guessed passphrase")

    assert "guessed passphrase" not in str(raised.value)


def test_repr_never_shows_the_key_or_passphrase(our_key: OrganizationKey):
    text = repr(our_key)

    assert "our passphrase" not in text
    assert "PRIVATE KEY" not in text
    assert "CERTIFICATE" in text


def test_the_private_key_file_is_0600_even_with_a_permissive_umask(tmp_path: Path,
                                                                    our_key: OrganizationKey):
    path = tmp_path / "gateway.key"
    previous = os.umask(0)
    try:
        write_private_key(path, our_key.private_key_pem)
    finally:
        os.umask(previous)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == our_key.private_key_pem
    assert list(tmp_path.iterdir()) == [path]


def test_the_private_key_file_is_created_0600_not_chmodded_afterwards(
        tmp_path: Path, our_key: OrganizationKey, monkeypatch: pytest.MonkeyPatch):
    calls = []
    real_open = os.open

    def recording_open(path, flags, mode=0o777, *args, **kwargs):
        calls.append((flags, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(certificates.os, "open", recording_open)
    write_private_key(tmp_path / "gateway.key", our_key.private_key_pem)

    assert calls == [(os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)]


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path, our_key: OrganizationKey,
                                                   our_next_key: OrganizationKey):
    path = tmp_path / "gateway.key"
    write_private_key(path, our_key.private_key_pem)

    with pytest.raises(FileExistsError):
        write_private_key(path, our_next_key.private_key_pem)

    assert path.read_bytes() == our_key.private_key_pem
    assert list(tmp_path.iterdir()) == [path]


def test_an_unencrypted_key_is_never_written(tmp_path: Path, our_key: OrganizationKey):
    plain = load_private_key(our_key.private_key_pem, b"our passphrase").private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())

    with pytest.raises(PrivateKeyError):
        write_private_key(tmp_path / "plain.key", plain)

    assert not (tmp_path / "plain.key").exists()


def test_partner_certificates_load_from_pem_or_der(amazon_key: OrganizationKey):
    der = load_certificate(amazon_key.certificate_pem).public_bytes(serialization.Encoding.DER)

    assert load_certificate(der) == load_certificate(amazon_key.certificate_pem)
    assert certificate_pem(der) == amazon_key.certificate_pem


@pytest.mark.parametrize("data", [b"", b"not a certificate",
                                  b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])
def test_garbage_is_a_certificate_error(data: bytes):
    with pytest.raises(CertificateError):
        load_certificate(data)


def test_the_pyas2lib_bundle_holds_the_encrypted_key_and_its_certificate(our_key: OrganizationKey):
    bundle = pyas2lib_key_bundle(our_key)

    assert bundle.startswith(our_key.private_key_pem)
    assert bundle.endswith(our_key.certificate_pem)
    assert b"-----BEGIN " + b"PRIVATE KEY" not in bundle, "the key stays encrypted in the bundle"


def test_a_key_paired_with_another_certificate_is_refused(our_key: OrganizationKey,
                                                          our_next_key: OrganizationKey):
    mixed = OrganizationKey(our_key.private_key_pem, our_key.passphrase,
                            our_next_key.certificate_pem)

    with pytest.raises(CertificateError, match="does not match"):
        pyas2lib_key_bundle(mixed)
