"""``edi-gateway inventory ...``: the 846 feed from the command line.

``push`` plans a feed now and queues its sending (the workers send it at the partner's
rate); ``holds`` / ``release`` the zero-stock holds; ``snapshots`` /
``release-snapshot`` / ``discard-snapshot`` the truncated snapshots held for a person;
``drift`` where Amazon's belief and the IMS's stock differ.
"""
from __future__ import annotations

import click
from sqlalchemy import select

from gateway.inventory.drift import COLUMNS, drift_report
from gateway.inventory.feeds import FeedInProgress, InventoryNotEnabled, request_feed
from gateway.inventory.holds import HoldStatus, holds_of, release_sku
from gateway.inventory.read_model import drift_csv, list_snapshots
from gateway.inventory.stock import ReportOutcome, decide_held_report
from gateway.models import InventoryHold, TradingPartner
from gateway.partners.registry import profile_of
from gateway.platform.db import session_scope
from gateway.platform.queue import enqueue


class InventoryCommandError(Exception):
    """Asked for something that is not there: one line, exit 2."""


@click.group()
def inventory() -> None:
    """The 846 inventory feed: push it, release held zeros and snapshots, see the drift."""


@inventory.command("push")
@click.option("--partner", "partner_key", metavar="AS2_ID",
              help="Only this partner (default: every active partner with the 846 switched on).")
@click.option("--full", is_flag=True, help="Every SKU, not only the changes since the last feed.")
def inventory_push(partner_key: str | None, full: bool) -> None:
    """Plan a feed now and queue its sending: one line per feed (id, items, held, batches)."""
    from gateway.cli.main import settings

    current = settings()
    if partner_key is None:
        with session_scope(current) as session:
            keys = [partner.as2_id for partner in session.scalars(
                select(TradingPartner).where(TradingPartner.active).order_by(TradingPartner.as2_id))
                    if profile_of(partner).inventory.enabled]
        if not keys:
            raise InventoryCommandError("no active partner gets an 846: switch it on with "
                                        "`edi-gateway partners update AS2_ID --inventory`")
    else:
        keys = [partner_key]
    for key in keys:
        try:
            feed = request_feed(current, key, full=full, requested_by="cli")
        except LookupError as error:
            raise InventoryCommandError(str(error)) from None
        enqueue(current, "workers.tasks.send_inventory_feed", feed_id=feed.id)
        click.echo(f"feed {feed.id} to {key} ({feed.kind}) queued: {feed.item_count} items, "
                   f"{feed.held_count} held, {feed.batch_count} batches")


@inventory.command("holds")
@click.option("--all", "everything", is_flag=True, help="Released and cleared holds too.")
def inventory_holds(everything: bool) -> None:
    """One line per hold: SKU, partner, ship-from, status, why, last quantity sent, held at."""
    from gateway.cli.main import settings

    statuses = tuple(HoldStatus) if everything else (HoldStatus.HELD,)
    with session_scope(settings()) as session:
        partners = {p.id: p.as2_id for p in session.scalars(select(TradingPartner))}
        rows = holds_of(session, status=statuses)
        if not rows:
            click.echo("no SKU is held")
        for hold in rows:
            click.echo(_hold_line(hold, partners[hold.partner_id]))


def _hold_line(hold: InventoryHold, partner: str) -> str:
    from gateway.inventory.guard import REASON_WORDS, HoldReason

    last = "never sent" if hold.last_sent_quantity is None else f"last sent {hold.last_sent_quantity}"
    return (f"{hold.sku}\t{partner}\t{hold.ship_from or '-'}\t{hold.status}\t{REASON_WORDS[HoldReason(hold.reason)]}"
            f"\t{last}\theld {hold.held_at:%Y-%m-%d %H:%M}")


@inventory.command("release")
@click.argument("sku")
@click.option("--partner", "partner_key", metavar="AS2_ID", help="Only this partner's hold of the SKU.")
@click.option("--note", default="", help="Why the zero is right (kept in the audit log).")
def inventory_release(sku: str, partner_key: str | None, note: str) -> None:
    """Let the held zero of SKU through: it goes out in the partner's next 846."""
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        partner_id = None
        if partner_key is not None:
            partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == partner_key)).first()
            if partner is None:
                raise InventoryCommandError(f"no partner {partner_key}")
            partner_id = partner.id
        released = release_sku(session, sku, actor="cli", note=note, partner_id=partner_id)
        if not released:
            raise InventoryCommandError(f"nothing of SKU {sku} is held")
        partners = {p.id: p.as2_id for p in session.scalars(select(TradingPartner))}
        for hold in released:
            click.echo(f"released {hold.sku} for {partners[hold.partner_id]}"
                       f"{' at ' + hold.ship_from if hold.ship_from else ''}: "
                       "the zero goes out in the partner's next 846")


@inventory.command("snapshots")
def inventory_snapshots() -> None:
    """The complete snapshots held because they leave out too many SKUs, one a line."""
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        rows = list_snapshots(session, outcome=ReportOutcome.HELD)
        if not rows:
            click.echo("no snapshot is held")
        for row in rows:
            detail = row.detail or {}
            click.echo(f"{row.id}\t{row.ship_from or '-'}\tas of {row.as_of:%Y-%m-%d %H:%M}\t{row.item_count} SKUs\t"
                       f"{detail.get('missing')} of {detail.get('last_reported')} last reported missing")


@inventory.command("release-snapshot")
@click.argument("report_id", type=int)
@click.option("--note", default="", help="Why the snapshot is right (kept in the audit log).")
def inventory_release_snapshot(report_id: int, note: str) -> None:
    """Apply a held snapshot: the SKUs it leaves out are no longer offered."""
    _decide(report_id, release=True, note=note)


@inventory.command("discard-snapshot")
@click.argument("report_id", type=int)
@click.option("--note", default="", help="Why (kept in the audit log).")
def inventory_discard_snapshot(report_id: int, note: str) -> None:
    """Set a held snapshot aside: the stock stays as the IMS last reported it."""
    _decide(report_id, release=False, note=note)


def _decide(report_id: int, *, release: bool, note: str) -> None:
    from gateway.cli.main import settings

    try:
        row = decide_held_report(settings(), report_id, release=release, actor="cli", note=note)
    except LookupError as error:
        raise InventoryCommandError(str(error)) from None
    click.echo(f"stock report {row.id} {row.outcome}")


@inventory.command("drift")
@click.option("--csv", "as_csv", is_flag=True, help="CSV instead of a tab-separated table.")
@click.option("--only-drifting", is_flag=True, help="Only the SKUs that drift.")
def inventory_drift(as_csv: bool, only_drifting: bool) -> None:
    """Per partner and SKU: Amazon's open units against the IMS's, what was sent against what is available."""
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        rows = drift_report(session, only_drifting=only_drifting)
    if as_csv:
        click.echo(drift_csv(rows), nl=False)
        return
    click.echo("\t".join(COLUMNS))
    for row in rows:
        shown = row.as_json()
        click.echo("\t".join("-" if shown[name] is None else str(shown[name]) for name in COLUMNS))


ERRORS = (InventoryCommandError, InventoryNotEnabled, FeedInProgress)
