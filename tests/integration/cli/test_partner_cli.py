"""`edi-gateway org`, `partners` and `certs` as an operator uses them."""
import os
import stat
import subprocess

import pytest
from sqlalchemy import select

from gateway.models import AuditEvent
from gateway.partners.certificates import describe_certificate, generate_organization_key
from gateway.partners.keystore import organisation_keys
from gateway.partners.registry import the_organisation
from gateway.platform.db import session_scope
from tests.conftest import make_settings
from tests.support.processes import EDI_GATEWAY, gateway_environment

pytestmark = pytest.mark.slow  # every test runs edi-gateway as a program


def edi_gateway(tmp_path, *args, passphrase="cli-test-passphrase"):
    environ = gateway_environment(tmp_path, key_passphrase=passphrase)
    return subprocess.run([*EDI_GATEWAY, *args], env=environ, capture_output=True, text=True,
                          timeout=120)


def test_partners_and_certificates_are_managed_from_the_command_line(tmp_path):
    assert edi_gateway(tmp_path, "init").returncode == 0
    assert edi_gateway(tmp_path, "org", "set", "--name", "Acme", "--as2-id", "ACMEBRANDS",
                       "--x12-id", "ACMEBRANDS").returncode == 0
    created = edi_gateway(tmp_path, "certs", "create", "--days", "20")
    assert created.returncode == 0, created.stderr
    assert "-----BEGIN CERTIFICATE-----" in created.stdout and "PRIVATE KEY" not in created.stdout

    keys = list((tmp_path / "keys").iterdir())
    assert len(keys) == 2, "the development key from init and the new one"
    for key in keys:
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
        assert b"ENCRYPTED PRIVATE KEY" in key.read_bytes()
        assert b"cli-test-passphrase" not in key.read_bytes()

    amazon_certificate = tmp_path / "amazon.pem"
    amazon_certificate.write_bytes(generate_organization_key("AMAZON", b"x", valid_days=400).certificate_pem)
    added = edi_gateway(tmp_path, "partners", "add", "--name", "Amazon", "--as2-id", "AMAZON", "--x12-id", "AMAZON",
                        "--url", "https://as2.amazon.example/as2", "--certificate", str(amazon_certificate),
                        "--mdn-mode", "async")
    assert added.returncode == 0, added.stderr
    assert edi_gateway(tmp_path, "partners", "update", "AMAZON", "--encryption-algorithm", "aes-128-cbc",
                       "--canonicalize-as-binary").returncode == 0
    shown = edi_gateway(tmp_path, "partners", "show", "AMAZON").stdout
    assert '"mdn_mode": "async"' in shown and '"encryption_algorithm": "aes-128-cbc"' in shown
    # Every algorithm the option offers is one the profile accepts (3DES once was not).
    for algorithm in ("aes-192-cbc", "aes-256-cbc", "des-ede3-cbc"):
        changed = edi_gateway(tmp_path, "partners", "update", "AMAZON", "--encryption-algorithm", algorithm)
        assert changed.returncode == 0, changed.stderr
    assert edi_gateway(tmp_path, "partners", "update", "AMAZON", "--encryption-algorithm", "aes-128-cbc").returncode == 0
    assert '"canonicalize_as_binary": true' in shown
    assert "AMAZON\tAmazon\tactive\thttps://as2.amazon.example/as2\tmdn=async" in edi_gateway(
        tmp_path, "partners", "list").stdout

    listed = edi_gateway(tmp_path, "certs", "list").stdout.splitlines()
    assert len(listed) == 3
    assert any("partner AMAZON" in row and "CN=AMAZON" in row for row in listed)
    assert any(row.split("\t")[2] == "us" and "(19 days)" in row for row in listed), listed


def test_mistakes_get_one_clear_line(tmp_path):
    edi_gateway(tmp_path, "init")
    wrong = edi_gateway(tmp_path, "partners", "update", "NOBODY", "--no-sign")
    assert wrong.returncode == 2 and wrong.stderr.strip() == "edi-gateway: error: no trading partner with AS2 id 'NOBODY'"
    assert edi_gateway(tmp_path, "partners", "add", "--name", "A", "--as2-id", "AMAZON", "--x12-id", "AMAZON").returncode == 0
    again = edi_gateway(tmp_path, "partners", "add", "--name", "A", "--as2-id", "AMAZON", "--x12-id", "AMAZON")
    assert again.returncode == 2 and "exists already" in again.stderr and "Traceback" not in again.stderr


def test_a_key_without_its_passphrase_is_not_usable(tmp_path):
    edi_gateway(tmp_path, "init")
    result = edi_gateway(tmp_path, "certs", "create", passphrase="a-different-passphrase")
    assert result.returncode == 0, "a new key is made with the passphrase given now"
    keys = sorted((tmp_path / "keys").iterdir(), key=os.path.getmtime)
    from gateway.partners.certificates import PrivateKeyError, load_private_key

    try:
        load_private_key(keys[0].read_bytes(), b"a-different-passphrase")
    except PrivateKeyError:
        pass
    else:
        raise AssertionError("the first key opened with the wrong passphrase")


def test_the_interface_other_tools_rely_on(tmp_path):
    """`org create`, `certs export-org` and `partners add --as2-id --cert [--url] [--mdn]`."""
    assert edi_gateway(tmp_path, "init").returncode == 0, "init makes the development organisation"
    assert edi_gateway(tmp_path, "org", "create", "--as2-id", "VENDORX").returncode == 0, "which this takes over"
    assert edi_gateway(tmp_path, "org", "create", "--as2-id", "VENDORX").returncode == 0, "again changes nothing"
    assert len(list((tmp_path / "keys").iterdir())) == 2
    other = edi_gateway(tmp_path, "org", "create", "--as2-id", "SOMEONE")
    assert other.returncode == 2 and "VENDORX already" in other.stderr
    exported = edi_gateway(tmp_path, "certs", "export-org")
    assert exported.returncode == 0 and exported.stdout.startswith("-----BEGIN CERTIFICATE-----")
    assert "CN=VENDORX" in edi_gateway(tmp_path, "certs", "list").stdout
    partner_certificate = tmp_path / "p.pem"
    partner_certificate.write_bytes(generate_organization_key("PARTNERY", b"x").certificate_pem)
    added = edi_gateway(tmp_path, "partners", "add", "--as2-id", "PARTNERY", "--cert", str(partner_certificate),
                        "--url", "http://127.0.0.1:9/as2", "--mdn", "async")
    assert added.returncode == 0, added.stderr
    shown = edi_gateway(tmp_path, "partners", "show", "PARTNERY").stdout
    for setting in ('"sign": true', '"encrypt": true', '"signed_mdn": true', '"mdn_mode": "async"',
                    '"x12_id": "PARTNERY"'):
        assert setting in shown


def test_the_whole_profile_is_set_from_the_command_line_and_a_bad_value_changes_nothing(tmp_path):
    import json

    assert edi_gateway(tmp_path, "init").returncode == 0
    added = edi_gateway(tmp_path, "partners", "add", "--as2-id", "AMAZON", "--855-window-hours", "36",
                        "--ack-code", "backordered=BP", "--holiday-country", "GB")
    assert added.returncode == 0, added.stderr
    updated = edi_gateway(tmp_path, "partners", "update", "AMAZON", "--on-deadline", "alert", "--warn-hours", "8,3",
                          "--deadline-margin-hours", "5", "--reack-window-hours", "72", "--transit-days", "3",
                          "--ack-code", "rejected:ObsoleteProduct=R3", "--997-window-hours", "12",
                          "--segment-suffix", "lf", "--usage-indicator", "T", "--element-separator", "|",
                          "--repetition-separator", "!", "--856-version", "004010", "--856-deadline-minutes", "45",
                          "--auto-invoice", "--invoice-prefix", "AC-", "--terms-net-days", "30",
                          "--terms-discount-percent", "1.5", "--terms-discount-days", "10", "--not-invoiced-days", "2",
                          "--invoice-currency", "CAD")
    assert updated.returncode == 0, updated.stderr
    shown = json.loads(edi_gateway(tmp_path, "partners", "show", "AMAZON").stdout)
    assert shown["acknowledgement"] == {
        "window_hours": 36.0, "holiday_country": "GB", "on_deadline": "alert", "margin_hours": 5.0,
        "warn_hours": [8.0, 3.0], "reack_window_hours": 72.0, "transit_days": 3,
        "ack_codes": {"accepted": "IA", "backordered": "BP", "rejected": "IR",
                      "rejected:InvalidProductIdentifier": "R2", "rejected:ObsoleteProduct": "R3"},
    }
    assert shown["x12"] == {"element_separator": "|", "component_separator": ">", "segment_terminator": "~",
                            "repetition_separator": "!", "segment_suffix": "\n", "usage_indicator": "T",
                            "ack_window_hours": 12.0}
    assert shown["ship_notice"] == {"version": "004010", "deadline_minutes": 45.0}
    assert shown["invoicing"] == {"automatic": True, "number_prefix": "AC-", "terms_net_days": 30,
                                  "terms_discount_percent": "1.5", "terms_discount_days": 10,
                                  "not_invoiced_days": 2.0, "currency": "CAD"}
    assert (shown["retailer"], shown["transport"], shown["as2"]["mdn_mode"]) == ("amazon", "as2", "sync")

    # A bad value is refused at write time with one line, and the other options given with it are not applied.
    refused = edi_gateway(tmp_path, "partners", "update", "AMAZON", "--855-window-hours", "30",
                          "--deadline-margin-hours", "40")
    assert refused.returncode == 2
    assert refused.stderr.strip() == ("edi-gateway: error: acknowledgement.margin_hours (40) must be less than "
                                      "window_hours (30)")
    for bad, words in ((["--ack-code", "shipped=IS"], "unknown outcome(s) shipped"),
                       (["--holiday-country", "XX"], "holiday_country 'XX' is not a country code"),
                       (["--warn-hours", "6,soon"], "--warn-hours takes numbers"),
                       (["--element-separator", "~"], "x12 separators must differ"),
                       (["--856-deadline-minutes", "0"], "ship_notice.deadline_minutes must be more than 0"),
                       (["--invoice-prefix", "inv"], "invoicing.number_prefix must be 0-10 characters"),
                       (["--terms-discount-percent", "250"], "invoicing.terms_discount_percent must be from 0 to 100"),
                       (["--invoice-currency", "usd"], "invoicing.currency must be an ISO 4217 code")):
        result = edi_gateway(tmp_path, "partners", "update", "AMAZON", *bad)
        assert result.returncode == 2 and words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert json.loads(edi_gateway(tmp_path, "partners", "show", "AMAZON").stdout) == shown

    # `--terms-discount-percent none` takes the discount off: percent and days together.
    cleared = edi_gateway(tmp_path, "partners", "update", "AMAZON", "--terms-discount-percent", "none")
    assert cleared.returncode == 0, cleared.stderr
    invoicing = json.loads(edi_gateway(tmp_path, "partners", "show", "AMAZON").stdout)["invoicing"]
    assert (invoicing["terms_discount_percent"], invoicing["terms_discount_days"]) == (None, None)


def certificates(tmp_path) -> list[list[str]]:
    """`certs list`: [id, fingerprint, owner, subject, expiry, state] of each row."""
    listed = edi_gateway(tmp_path, "certs", "list")
    assert listed.returncode == 0, listed.stderr
    return [line.split("\t") for line in listed.stdout.splitlines()]


def certificate(tmp_path, subject: str) -> list[str]:
    """The one row of `certs list` with this subject."""
    [row] = [row for row in certificates(tmp_path) if row[3] == subject]
    return row


def retirements(tmp_path) -> list[dict]:
    with session_scope(make_settings(tmp_path)) as session:
        return [{"actor": event.actor, **event.detail} for event in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "certificate.retired").order_by(AuditEvent.id))]


def test_org_create_retires_the_development_certificate(tmp_path):
    assert edi_gateway(tmp_path, "init").returncode == 0
    development = edi_gateway(tmp_path, "certs", "export-org").stdout
    assert "CN=ACMEBRANDS" in describe_certificate(development.encode()).subject

    created = edi_gateway(tmp_path, "org", "create", "--as2-id", "VENDORX", "--name", "Vendor X")
    assert created.returncode == 0, created.stderr
    assert "retired the development certificate" in created.stdout and "CN=ACMEBRANDS" in created.stdout

    development_row = certificate(tmp_path, "O=Acme Brands (development),CN=ACMEBRANDS")
    assert development_row[5] == "retired"
    assert certificate(tmp_path, "O=Vendor X,CN=VENDORX")[5] == "active"
    offered = edi_gateway(tmp_path, "certs", "export-org").stdout
    assert offered != development and describe_certificate(offered.encode()).subject == "O=Vendor X,CN=VENDORX"
    settings = make_settings(tmp_path, key_passphrase="cli-test-passphrase")
    with session_scope(settings) as session:
        signing = organisation_keys(session, settings, the_organisation(session))
    assert [key.certificate_pem.decode() for key in signing] == [offered], "only the new key signs and decrypts"
    [retired] = retirements(tmp_path)
    assert retired["actor"] == "cli" and retired["reason"] == "development identity replaced by VENDORX"
    assert retired["fingerprint"].startswith(development_row[1])

    again = edi_gateway(tmp_path, "org", "create", "--as2-id", "VENDORX")
    assert again.returncode == 0 and "retired" not in again.stdout and len(retirements(tmp_path)) == 1
    assert edi_gateway(tmp_path, "init").returncode == 0
    assert len(certificates(tmp_path)) == 2, "init makes no development key for a real organisation"


def test_certs_retire_refuses_the_only_key_unless_forced_and_says_why(tmp_path):
    from tests.integration.cli.test_cli import assert_one_clear_line

    edi_gateway(tmp_path, "init")
    edi_gateway(tmp_path, "org", "create", "--as2-id", "VENDORX")
    ours = certificate(tmp_path, "O=VENDORX,CN=VENDORX")
    assert_one_clear_line(edi_gateway(tmp_path, "certs", "retire", ours[1]),
                          f"certificate {ours[1]} is our only active key", "certs create", "--force")
    assert certificate(tmp_path, "O=VENDORX,CN=VENDORX")[5] == "active", "refused: nothing changed"

    assert edi_gateway(tmp_path, "certs", "create").returncode == 0, "its successor"
    retired = edi_gateway(tmp_path, "certs", "retire", ours[1])
    assert retired.returncode == 0 and retired.stdout.startswith(f"retired certificate {ours[1]} (us, ")
    assert retired.stderr == ""
    assert sorted(row[5] for row in certificates(tmp_path)) == ["active", "retired", "retired"]
    again = edi_gateway(tmp_path, "certs", "retire", ours[0])
    assert again.returncode == 0 and "was retired already" in again.stdout, "by id, and a second time changes nothing"

    partner_certificate = tmp_path / "partner.pem"
    partner_certificate.write_bytes(generate_organization_key("PARTNERY", b"x").certificate_pem)
    assert edi_gateway(tmp_path, "partners", "add", "--as2-id", "PARTNERY", "--cert", str(partner_certificate)).returncode == 0
    theirs = certificate(tmp_path, "CN=PARTNERY")
    assert_one_clear_line(edi_gateway(tmp_path, "certs", "retire", theirs[1]),
                          "PARTNERY's only active certificate", "certs import-partner FILE --partner PARTNERY")
    forced = edi_gateway(tmp_path, "certs", "retire", "--force", theirs[1])
    assert forced.returncode == 0 and "partner PARTNERY now has no active certificate" in forced.stderr
    assert certificate(tmp_path, "CN=PARTNERY")[5] == "retired"

    assert [(event["reason"], event["owner"], event["left_without_certificate"]) for event in retirements(tmp_path)] == [
        ("development identity replaced by VENDORX", "us", False), ("certs retire", "us", False),
        ("certs retire", "partner PARTNERY", True)]
    assert_one_clear_line(edi_gateway(tmp_path, "certs", "retire", "abc"), "neither a certificate id nor a fingerprint")


def test_where_async_mdns_may_go_is_set_and_checked_from_the_command_line(tmp_path):
    assert edi_gateway(tmp_path, "init").returncode == 0
    certificate = tmp_path / "amazon.pem"
    certificate.write_bytes(generate_organization_key("AMAZON", b"x", valid_days=400).certificate_pem)
    added = edi_gateway(tmp_path, "partners", "add", "--as2-id", "AMAZON", "--certificate", str(certificate),
                        "--url", "https://as2.amazon.example/as2", "--mdn-hosts", "mdn.amazon.example, MDN2.amazon.example")
    assert added.returncode == 0, added.stderr
    assert edi_gateway(tmp_path, "partners", "update", "AMAZON", "--allow-private-mdn-addresses").returncode == 0
    shown = edi_gateway(tmp_path, "partners", "show", "AMAZON").stdout
    assert '"mdn_hosts": [\n' in shown and '"mdn2.amazon.example"' in shown
    assert '"allow_private_mdn_addresses": true' in shown

    refused = edi_gateway(tmp_path, "partners", "update", "AMAZON", "--mdn-hosts", "https://evil.example/x")
    assert refused.returncode == 2 and "as2.mdn_hosts" in refused.stderr
    cleared = edi_gateway(tmp_path, "partners", "update", "AMAZON", "--mdn-hosts", "", "--no-private-mdn-addresses")
    assert cleared.returncode == 0, cleared.stderr
    shown = edi_gateway(tmp_path, "partners", "show", "AMAZON").stdout
    assert '"mdn_hosts": []' in shown and '"allow_private_mdn_addresses": false' in shown
