"""``edi-gateway org``, ``partners`` and ``certs``: who we are, who we trade with, which keys."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import click
from sqlalchemy import select

from gateway.transport.as2.protocol import DIGEST_ALGORITHMS, ENCRYPTION_ALGORITHMS
from gateway.platform.db import session_scope
from gateway.partners.keystore import (
    all_certificates,
    create_organisation_certificate,
    import_partner_certificate,
    organisation_keys,
)
from gateway.models import Organisation, TradingPartner
from gateway.partners.registry import (
    AS2_DEFAULTS,
    PartnerError,
    add_partner,
    as2_settings,
    get_partner,
    set_organisation,
    the_organisation,
    update_partner_as2,
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
        click.option("--encryption-algorithm", type=click.Choice(list(ENCRYPTION_ALGORITHMS))),
        click.option("--mdn", "--mdn-mode", "mdn_mode", type=click.Choice(["none", "sync", "async"]),
                     help="How the partner wants our MDNs and sends its own."),
        click.option("--signed-mdn/--unsigned-mdn", default=None),
        click.option("--canonicalize-as-binary/--canonicalize-line-endings", default=None,
                     help="How to rebuild a signed part whose bytes as sent do not verify."),
        click.option("--validate-certs/--no-validate-certs", default=None),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _as2_changes(values: dict) -> dict:
    return {key: value for key, value in values.items() if key in AS2_DEFAULTS and value is not None}


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

    The development organisation that ``init`` makes on a new installation is taken over.
    """
    from gateway.platform import db

    current = _settings()
    current.data_dir.mkdir(parents=True, exist_ok=True)
    db.upgrade(current)
    with session_scope(current) as session:
        existing = session.scalars(select(Organisation).order_by(Organisation.id)).first()
        replaces_development = existing is not None and existing.profile.get("development")
        if existing is not None and existing.as2_id != as2_id and not replaces_development:
            raise PartnerError(f"the organisation is {existing.as2_id} already; change it with `edi-gateway org set`")
        organisation = existing
        if existing is None or replaces_development:
            organisation = set_organisation(session, name=name or as2_id, as2_id=as2_id, x12_id=x12_id or as2_id,
                                            x12_qualifier=x12_qualifier)
            organisation.profile = {}
        keys = organisation_keys(session, current, organisation)
        if not keys or replaces_development:
            create_organisation_certificate(session, current, organisation)
        click.echo(f"organisation {organisation.as2_id}")


@org.command("show")
def org_show() -> None:
    with session_scope(_settings()) as session:
        organisation = the_organisation(session)
        click.echo(json.dumps({"name": organisation.name, "as2_id": organisation.as2_id,
                               "x12_qualifier": organisation.x12_qualifier, "x12_id": organisation.x12_id}, indent=2))


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
def partners_add(as2_id, name, x12_id, x12_qualifier, certificate_file, **as2) -> None:
    """Add a trading partner: by default it must sign and encrypt, and gets signed synchronous MDNs."""
    with session_scope(_settings()) as session:
        partner = add_partner(session, name=name or as2_id, as2_id=as2_id, x12_id=x12_id or as2_id,
                              x12_qualifier=x12_qualifier, as2=_as2_changes(as2))
        if certificate_file:
            import_partner_certificate(session, partner, Path(certificate_file).read_bytes())
        click.echo(f"partner {partner.as2_id} added")


@partners.command("update")
@click.argument("as2_id")
@click.option("--active/--inactive", default=None)
@as2_options
def partners_update(as2_id: str, active: bool | None, **as2) -> None:
    """Change a partner's AS2 profile or switch it on or off."""
    with session_scope(_settings()) as session:
        partner = get_partner(session, as2_id)
        update_partner_as2(partner, _as2_changes(as2))
        if active is not None:
            partner.active = active
        click.echo(f"partner {partner.as2_id} updated")


@partners.command("list")
def partners_list() -> None:
    with session_scope(_settings()) as session:
        for partner in session.scalars(select(TradingPartner).order_by(TradingPartner.as2_id)):
            profile = as2_settings(partner)
            state = "active" if partner.active else "inactive"
            click.echo(f"{partner.as2_id}\t{partner.name}\t{state}\t{profile['url'] or '-'}\tmdn={profile['mdn_mode']}")


@partners.command("show")
@click.argument("as2_id")
def partners_show(as2_id: str) -> None:
    with session_scope(_settings()) as session:
        partner = get_partner(session, as2_id)
        click.echo(json.dumps({"name": partner.name, "as2_id": partner.as2_id, "active": partner.active,
                               "x12_qualifier": partner.x12_qualifier, "x12_id": partner.x12_id,
                               "as2": as2_settings(partner)}, indent=2))


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
    """Every certificate with its owner and expiry date."""
    now = datetime.now(timezone.utc)
    with session_scope(_settings()) as session:
        for row in all_certificates(session):
            owner = "us" if row.organisation_id else f"partner {session.get(TradingPartner, row.partner_id).as2_id}"
            not_after = row.not_after
            state = "active" if row.active else "inactive"
            click.echo(f"{row.fingerprint_sha256[:16]}\t{owner}\t{row.subject}\texpires {not_after:%Y-%m-%d} "
                       f"({(not_after - now).days} days)\t{state}")


ERRORS = (PartnerError,)
