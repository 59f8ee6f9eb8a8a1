"""``edi-gateway org``, ``partners`` and ``certs``: who we are, who we trade with, which keys."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import click
from sqlalchemy import select

from gateway.platform import audit
from gateway.platform.db import session_scope
from gateway.partners.keystore import (
    KeystoreError,
    all_certificates,
    certificate_owner,
    certificate_state,
    create_organisation_certificate,
    find_certificate,
    import_partner_certificate,
    is_last_usable,
    organisation_keys,
    retire_certificate,
)
from gateway.models import Certificate, Organisation, TradingPartner
from gateway.shipping.warehouses import WarehouseAddress, WarehouseError
from gateway.partners.profile import (
    DIGEST_ALGORITHMS,
    ENCRYPTION_ALGORITHMS,
    SECTIONS,
    SHIP_NOTICE_VERSIONS,
    USAGE_INDICATORS,
    DeadlinePolicy,
    MdnMode,
)
from gateway.partners.registry import (
    PartnerError,
    add_partner,
    get_partner,
    profile_of,
    set_organisation,
    the_organisation,
    update_profile,
)


def _settings():
    from gateway.cli.main import settings

    return settings()


def as2_options(command):
    """Options for the partner's AS2 profile; unset ones keep their current value."""
    options = [
        click.option("--url", help="The partner's AS2 URL."),
        click.option("--sign/--no-sign", default=None, help="Sign outbound, require signed inbound."),
        click.option("--encrypt/--no-encrypt", default=None, help="Encrypt outbound, require encrypted inbound."),
        click.option("--compress/--no-compress", default=None),
        click.option("--digest-algorithm", type=click.Choice(DIGEST_ALGORITHMS)),
        click.option("--encryption-algorithm", type=click.Choice(ENCRYPTION_ALGORITHMS)),
        click.option("--mdn", "--mdn-mode", "mdn_mode", type=click.Choice([mode.value for mode in MdnMode]),
                     help="How the partner wants our MDNs and sends its own."),
        click.option("--signed-mdn/--unsigned-mdn", default=None),
        click.option("--canonicalize-as-binary/--canonicalize-line-endings", default=None,
                     help="How to rebuild a signed part whose bytes as sent do not verify."),
        click.option("--validate-certs/--no-validate-certs", default=None),
        click.option("--mdn-hosts", metavar="HOST[,HOST...]",
                     help="Hosts async MDNs may be sent to besides the URL's own ('' for none)."),
        click.option("--allow-private-mdn-addresses/--no-private-mdn-addresses", default=None,
                     help="Let async MDNs go to loopback, link-local or private addresses."),
    ]
    return _with(options, command)


# --segment-suffix takes words: a newline is awkward to pass on a command line.
SEGMENT_SUFFIXES = {"none": "", "lf": "\n", "crlf": "\r\n"}


def x12_options(command):
    """Options for the envelopes we write to the partner and its 997 window (section ``x12``)."""
    options = [
        click.option("--element-separator", metavar="CHAR", help="ISA element separator (default *)."),
        click.option("--component-separator", metavar="CHAR", help="ISA16 component separator (default >)."),
        click.option("--segment-terminator", metavar="CHAR", help="Segment terminator (default ~)."),
        click.option("--repetition-separator", metavar="CHAR",
                     help="ISA11 of our 005010 interchanges (default ^; 004010 ones carry U)."),
        click.option("--segment-suffix", type=click.Choice(list(SEGMENT_SUFFIXES)),
                     help="Written after each segment terminator (default none)."),
        click.option("--usage-indicator", type=click.Choice(USAGE_INDICATORS), help="ISA15: P production, T test."),
        click.option("--997-window-hours", "ack_window_hours", type=float,
                     help="Hours the partner has to send its 997 for a group of ours (default 4)."),
    ]
    return _with(options, command)


def acknowledgement_options(command):
    """Options for the 855: ACK01 codes and the deadline policy (section ``acknowledgement``)."""
    options = [
        click.option("--855-window-hours", "window_hours", type=float,
                     help="Hours from the PO within which the 855 is due (default 24)."),
        click.option("--holiday-country", metavar="CODE",
                     help="Public holidays of this country extend the window by a day each (default US; none: off)."),
        click.option("--on-deadline", type=click.Choice([policy.value for policy in DeadlinePolicy]),
                     help="At the margin: acknowledge what is known, or only alert (default acknowledge)."),
        click.option("--deadline-margin-hours", "margin_hours", type=float,
                     help="Hours before the deadline at which --on-deadline acts (default 4)."),
        click.option("--warn-hours", metavar="H[,H...]", help="Warn this many hours before the deadline (default 6,2)."),
        click.option("--reack-window-hours", type=float,
                     help="Hours from the PO within which a change may be acknowledged again (default 48)."),
        click.option("--transit-days", type=int, help="Days from ship to delivery for backorder dates (default 2)."),
        click.option("--ack-code", "ack_codes", multiple=True, metavar="OUTCOME=CODE",
                     help="ACK01 code of an outcome, e.g. backordered=IB or rejected:ObsoleteProduct=R3 (repeatable)."),
    ]
    return _with(options, command)


def ship_notice_options(command):
    """Options for the 856: its X12 version and deadline (section ``ship_notice``)."""
    options = [
        click.option("--856-version", "version", type=click.Choice(SHIP_NOTICE_VERSIONS),
                     help="X12 version the 856 is written in (default 005010)."),
        click.option("--856-deadline-minutes", "deadline_minutes", type=float,
                     help="Minutes after shipping by which the 856 must be delivered and accepted (default 30)."),
    ]
    return _with(options, command)


def invoicing_options(command):
    """Options for the 810: automatic invoicing, numbers, terms, currency (section ``invoicing``)."""
    options = [
        click.option("--auto-invoice/--no-auto-invoice", "automatic", default=None,
                     help="Invoice each delivered ASN automatically (default no)."),
        click.option("--invoice-prefix", "number_prefix", metavar="PREFIX",
                     help="Invoice numbers start with this: 0-10 of A-Z, 0-9, - (default INV-)."),
        click.option("--terms-net-days", type=int, help="ITD net days, 0-365 (default 60)."),
        click.option("--terms-discount-percent", metavar="PERCENT",
                     help="ITD discount percent, e.g. 2 or 1.5, with --terms-discount-days (default none; "
                          "none: no discount)."),
        click.option("--terms-discount-days", type=int, help="Days within which the discount is earned."),
        click.option("--not-invoiced-days", type=float,
                     help="Days after shipping at which goods not invoiced are an exception (default 3)."),
        click.option("--invoice-currency", "currency", metavar="CODE", help="CUR02, ISO 4217 (default USD)."),
    ]
    return _with(options, command)


def inventory_options(command):
    """Options for the 846: on or off, schedule, batches, rate, safety stock, holds (section ``inventory``)."""
    options = [
        click.option("--inventory/--no-inventory", "enabled", default=None,
                     help="Send this partner the 846 inventory feed (default no)."),
        click.option("--full-every-hours", type=float, help="A full feed (every SKU) this often (default 24)."),
        click.option("--changes-every-minutes", type=float,
                     help="The changes since the last feed this often (default 60)."),
        click.option("--batch-size", type=int, help="Items per 846 transaction set (default 1000)."),
        click.option("--sends-per-minute", type=float, help="At most this many 846s a minute (default 6)."),
        click.option("--burst", type=int, help="After a pause, this many 846s at once (default 10)."),
        click.option("--default-safety-stock", "safety_stock", type=int,
                     help="Eaches kept back from every SKU the catalogue sets no safety stock for (default 0)."),
        click.option("--inventory-report-type", "report_type", metavar="CODE",
                     help="BIA02 report type code, as the partner's guide says (default MM)."),
        click.option("--hold-release-hours", metavar="HOURS",
                     help="Let a held zero through after this long; none: only a person releases it (default none)."),
    ]
    return _with(options, command)


def _with(options, command):
    for option in reversed(options):
        command = option(command)
    return command


def _profile_changes(values: dict) -> dict[str, dict]:
    """The options given, by profile section, in the profile's own terms."""
    given = {key: value for key, value in values.items() if value is not None and value != ()}
    if "segment_suffix" in given:
        given["segment_suffix"] = SEGMENT_SUFFIXES[given["segment_suffix"]]
    if "holiday_country" in given and given["holiday_country"].lower() == "none":
        given["holiday_country"] = None
    if str(given.get("terms_discount_percent", "")).lower() == "none":  # no discount: both settings cleared
        given["terms_discount_percent"] = given["terms_discount_days"] = None
    if "hold_release_hours" in given:
        text = given["hold_release_hours"]
        given["hold_release_hours"] = None if text.lower() == "none" else _hours(text, "--hold-release-hours")
    if "warn_hours" in given:
        given["warn_hours"] = [_hours(text, "--warn-hours") for text in given["warn_hours"].split(",")]
    if "mdn_hosts" in given:
        given["mdn_hosts"] = [host.strip() for host in given["mdn_hosts"].split(",") if host.strip()]
    if "ack_codes" in given:
        given["ack_codes"] = dict(_ack_code(text) for text in given["ack_codes"])
    changes: dict[str, dict] = {}
    for section, kind in SECTIONS.items():
        names = {field for field in kind.__dataclass_fields__}
        changes[section] = {key: value for key, value in given.items() if key in names}
    return changes


def _hours(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:
        takes = "numbers separated by commas" if option == "--warn-hours" else "a number of hours or none"
        raise PartnerError(f"{option} takes {takes}, not {text!r}") from None


def _ack_code(text: str) -> tuple[str, str]:
    outcome, equals, code = text.partition("=")
    if not equals:
        raise PartnerError(f"--ack-code takes OUTCOME=CODE (e.g. backordered=IB), not {text!r}")
    return outcome.strip(), code.strip()


@click.group()
def org() -> None:
    """Our organisation: name, AS2 id, X12 id, certificates."""


@org.command("set")
@click.option("--name", required=True)
@click.option("--as2-id", required=True)
@click.option("--x12-id", required=True)
@click.option("--x12-qualifier", default="ZZ", show_default=True)
def org_set(name: str, as2_id: str, x12_id: str, x12_qualifier: str) -> None:
    """Create or update our organisation."""
    with session_scope(_settings()) as session:
        organisation = set_organisation(session, name=name, as2_id=as2_id, x12_id=x12_id, x12_qualifier=x12_qualifier)
        click.echo(f"organisation {organisation.as2_id} ({organisation.x12_qualifier}/{organisation.x12_id})")


@org.command("create")
@click.option("--as2-id", required=True)
@click.option("--name", default=None, help="Defaults to the AS2 id.")
@click.option("--x12-id", default=None, help="ISA06/GS02 sender id; defaults to the AS2 id.")
@click.option("--x12-qualifier", default="ZZ", show_default=True)
def org_create(as2_id: str, name: str | None, x12_id: str | None, x12_qualifier: str) -> None:
    """Make our organisation and its key pair, if missing (running it again changes nothing).

    The development organisation that ``init`` makes on a new installation is taken over,
    and its certificate retired: partners must never be offered, or receive anything
    signed with, the sandbox's key.
    """
    from gateway.platform import db
    from gateway.sandbox import demo_catalogue_items
    from gateway.sandbox.development import is_development

    current = _settings()
    current.data_dir.mkdir(parents=True, exist_ok=True)
    db.upgrade(current)
    with session_scope(current) as session:
        existing = session.scalars(select(Organisation).order_by(Organisation.id)).first()
        replaces_development = existing is not None and is_development(existing)
        if existing is not None and existing.as2_id != as2_id and not replaces_development:
            raise PartnerError(f"the organisation is {existing.as2_id} already; change it with `edi-gateway org set`")
        development_certificates: list[Certificate] = []
        if existing is not None and replaces_development:
            development_certificates = list(session.scalars(select(Certificate).where(
                Certificate.organisation_id == existing.id, Certificate.active.is_(True))))
        if existing is None or replaces_development:
            organisation = set_organisation(session, name=name or as2_id, as2_id=as2_id, x12_id=x12_id or as2_id,
                                            x12_qualifier=x12_qualifier)
            organisation.profile = {}
            audit.record(session, "organisation.created", actor="cli", subject_type="organisation",
                         subject_id=organisation.id, as2_id=as2_id, replaced_development=replaces_development)
        else:
            organisation = existing
        click.echo(f"organisation {organisation.as2_id}")
        if not organisation.profile.get("remit_to"):
            click.echo("no remit-to yet: set where Amazon pays you, for the 810 invoices, with "
                       "`edi-gateway org remit-to --name ... --street ... --city ... --postal-code ... --country CC`")
        if not organisation_keys(session, current, organisation) or replaces_development:
            certificate = create_organisation_certificate(session, current, organisation)
            click.echo(f"certificate {certificate.fingerprint_sha256[:16]} ({certificate.subject}) "
                       f"valid until {certificate.not_after:%Y-%m-%d}: give it to partners with "
                       "`edi-gateway certs export-org`")
        for old in development_certificates:
            retire_certificate(session, old, actor="cli", reason=f"development identity replaced by {as2_id}")
            click.echo(f"retired the development certificate {old.fingerprint_sha256[:16]} ({old.subject})")
        demo = len(demo_catalogue_items(session))
        if demo:
            click.echo(f"the demo catalogue is still in place ({demo} entries): replace it with your own "
                       "(`edi-gateway catalogue import --replace FILE.csv`) or drop it (`edi-gateway catalogue drop-demo`)")


@org.command("show")
def org_show() -> None:
    with session_scope(_settings()) as session:
        organisation = the_organisation(session)
        click.echo(json.dumps({"name": organisation.name, "as2_id": organisation.as2_id,
                               "x12_qualifier": organisation.x12_qualifier, "x12_id": organisation.x12_id}, indent=2))


@org.command("remit-to")
@click.option("--name", required=True, help="Who Amazon pays (N102 of N1*RI, up to 60 characters).")
@click.option("--street", required=True, help="Street address (N301, up to 55 characters).")
@click.option("--city", required=True, help="City (N401, 2 to 30 characters).")
@click.option("--postal-code", required=True, help="Postal code (N403, 3 to 15 characters).")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 country code, e.g. US.")
@click.option("--state", help="State or province code (two characters), where the country has them.")
def org_remit_to(name: str, street: str, city: str, postal_code: str, country: str, state: str | None) -> None:
    """Set where Amazon pays us: the remit-to every 810 invoice carries."""
    from gateway.invoicing.remit_to import set_remit_to

    address = WarehouseAddress(name=name, street=street, city=city, postal_code=postal_code, country=country,
                               state=state)
    with session_scope(_settings()) as session:
        saved = set_remit_to(session, address, actor="cli")
    click.echo(f"remit-to set: {saved.name}, {saved.street}, {saved.city} {saved.postal_code} {saved.country}")


@click.group()
def partners() -> None:
    """Trading partners and their AS2 profiles."""


@partners.command("add")
@click.option("--as2-id", required=True)
@click.option("--name", default=None, help="Defaults to the AS2 id.")
@click.option("--x12-id", default=None, help="The partner's ISA/GS id; defaults to the AS2 id.")
@click.option("--x12-qualifier", default="ZZ", show_default=True)
@click.option("--cert", "--certificate", "certificate_file", type=click.Path(exists=True, dir_okay=False),
              help="The partner's certificate (PEM or DER).")
@as2_options
@x12_options
@acknowledgement_options
@ship_notice_options
@invoicing_options
@inventory_options
def partners_add(as2_id, name, x12_id, x12_qualifier, certificate_file, **settings) -> None:
    """Add a trading partner: by default it must sign and encrypt, and gets signed synchronous MDNs."""
    changes = _profile_changes(settings)
    with session_scope(_settings()) as session:
        partner = add_partner(session, name=name or as2_id, as2_id=as2_id, x12_id=x12_id or as2_id,
                              x12_qualifier=x12_qualifier, as2=changes.pop("as2"))
        for section, values in changes.items():
            update_profile(partner, section, values)
        if certificate_file:
            import_partner_certificate(session, partner, Path(certificate_file).read_bytes())
        click.echo(f"partner {partner.as2_id} added")


@partners.command("update")
@click.argument("as2_id")
@click.option("--active/--inactive", default=None)
@as2_options
@x12_options
@acknowledgement_options
@ship_notice_options
@invoicing_options
@inventory_options
def partners_update(as2_id: str, active: bool | None, **settings) -> None:
    """Change a partner's profile (AS2, X12, 855 codes and deadlines, 856, 810, 846) or switch it on or off.

    Every setting is checked before anything is stored: one bad value changes nothing.
    """
    with session_scope(_settings()) as session:
        partner = get_partner(session, as2_id)
        for section, values in _profile_changes(settings).items():
            update_profile(partner, section, values)
        if active is not None:
            partner.active = active
        click.echo(f"partner {partner.as2_id} updated")


@partners.command("list")
def partners_list() -> None:
    with session_scope(_settings()) as session:
        for partner in session.scalars(select(TradingPartner).order_by(TradingPartner.as2_id)):
            as2 = profile_of(partner).as2
            state = "active" if partner.active else "inactive"
            click.echo(f"{partner.as2_id}\t{partner.name}\t{state}\t{as2.url or '-'}\tmdn={as2.mdn_mode.value}")


@partners.command("show")
@click.argument("as2_id")
def partners_show(as2_id: str) -> None:
    """The partner's identities and its whole profile, defaults included, as JSON."""
    with session_scope(_settings()) as session:
        partner = get_partner(session, as2_id)
        click.echo(json.dumps({"name": partner.name, "as2_id": partner.as2_id, "active": partner.active,
                               "x12_qualifier": partner.x12_qualifier, "x12_id": partner.x12_id,
                               **profile_of(partner).to_json()}, indent=2))


@click.group()
def certs() -> None:
    """AS2 certificates: ours and our partners'."""


@certs.command("create")
@click.option("--days", type=int, default=730, show_default=True, help="Validity in days.")
def certs_create(days: int) -> None:
    """Make a new key and self-signed certificate for our organisation (active at once)."""
    current = _settings()
    with session_scope(current) as session:
        certificate = create_organisation_certificate(session, current, the_organisation(session), valid_days=days)
        click.echo(f"certificate {certificate.fingerprint_sha256} valid until {certificate.not_after:%Y-%m-%d}")
        click.echo(certificate.certificate_pem, nl=False)


@certs.command("export-org")
def certs_export_org() -> None:
    """Print our current certificate (PEM), the one to give partners."""
    current = _settings()
    with session_scope(current) as session:
        keys = organisation_keys(session, current, the_organisation(session))
        if not keys:
            raise PartnerError("our organisation has no active certificate: run `edi-gateway certs create`")
        click.echo(keys[0].certificate_pem.decode(), nl=False)


@certs.command("import-partner")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--partner", "as2_id", required=True, help="The partner's AS2 id.")
def certs_import_partner(file: str, as2_id: str) -> None:
    """Import a partner's certificate (PEM or DER)."""
    with session_scope(_settings()) as session:
        certificate = import_partner_certificate(session, get_partner(session, as2_id), Path(file).read_bytes())
        click.echo(f"certificate {certificate.fingerprint_sha256} for {as2_id}")


@certs.command("list")
def certs_list() -> None:
    """Every certificate: id, fingerprint, owner, subject, expiry and state (active, expired, retired)."""
    now = datetime.now(timezone.utc)
    with session_scope(_settings()) as session:
        for row in all_certificates(session):
            not_after = row.not_after
            click.echo(f"{row.id}\t{row.fingerprint_sha256[:16]}\t{certificate_owner(session, row)}\t{row.subject}\t"
                       f"expires {not_after:%Y-%m-%d} ({(not_after - now).days} days)\t{certificate_state(row, now)}")


@certs.command("retire")
@click.argument("reference", metavar="ID-OR-FINGERPRINT")
@click.option("--force", is_flag=True, help="Retire it even if its owner is left with no active certificate.")
def certs_retire(reference: str, force: bool) -> None:
    """Stop using a certificate for good: ours is no longer offered, nor used to sign or decrypt;
    a partner's no longer used to encrypt or verify. It stays listed, as retired."""
    with session_scope(_settings()) as session:
        certificate = find_certificate(session, reference)
        owner = certificate_owner(session, certificate)
        last = is_last_usable(session, certificate)
        retired = retire_certificate(session, certificate, actor="cli", reason="certs retire", force=force)
        what = f"certificate {certificate.fingerprint_sha256[:16]} ({owner}, {certificate.subject})"
        click.echo(f"retired {what}" if retired else f"{what} was retired already")
        if retired and last:
            click.echo(f"warning: {owner} now has no active certificate: AS2 exchange with "
                       f"{'every partner' if owner == 'us' else owner.removeprefix('partner ')} stops until one is added",
                       err=True)


ERRORS = (PartnerError, KeystoreError, WarehouseError)
