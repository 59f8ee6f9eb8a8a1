"""The demo installation: the sandbox IMS `edi-gateway run` starts, and the demo catalogue.

With no ``EDI_GATEWAY_IMS_URL``, `edi-gateway run` starts the reference IMS
(`edi-gateway sandbox-ims`) beside web, worker and beat, on the stock in
``EDI_GATEWAY_SANDBOX_STOCK`` (the demo ``stock.csv`` here by default), and hands both sides
their bearer tokens through the environment: a new pair at every start, the previous
callback token revoked. A new development installation gets the demo ``catalogue.csv``,
so the sample 850s in tests/fixtures/amazon map to the sandbox's SKUs at once; the
brand's own catalogue replaces it (``catalogue import --replace``), or ``catalogue
drop-demo`` removes it.
A new installation also gets the demo warehouse ``WH1`` the sandbox IMS ships from, so a
shipment it posts names a ship-from the gateway knows (``warehouses add WH1 ...`` changes it),
and a demo remit-to for the 810 (``org remit-to ...`` changes it).
``development`` gives a new installation an organisation and a key pair.
May import ``gateway.invoicing``, ``gateway.shipping``, ``gateway.partners``, ``gateway.catalogue``, ``gateway.access`` and below.
"""
from __future__ import annotations

import secrets
import socket
from datetime import datetime, timezone
from pathlib import Path

import structlog
from sqlalchemy import select

from sqlalchemy.orm import Session

from gateway.catalogue.items import current_items, import_catalogue, read_catalogue_csv, remove_items
from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import session_scope
from gateway.models import ApiToken, CatalogueItem, Organisation
from gateway.platform.preflight import StartupError
from gateway.access.tokens import create_token
from gateway.invoicing.remit_to import set_remit_to
from gateway.shipping.warehouses import WarehouseAddress, add_or_update_warehouse

log = structlog.get_logger("gateway.sandbox")

DEMO_CATALOGUE = Path(__file__).parent / "catalogue.csv"
# The sandbox IMS's default ship-from (reference_ims --ship-from) and where the demo is paid; made up.
DEMO_WAREHOUSE = ("WH1", WarehouseAddress(name="Acme Brands demo warehouse", street="1 Demo Way", city="Reno",
                                          postal_code="89501", country="US", state="NV"))
DEMO_REMIT_TO = WarehouseAddress(name="Acme Brands (development)", street="1 Demo Way", city="Reno", postal_code="89501",
                                 country="US", state="NV")
CALLBACK_TOKEN_LABEL = "sandbox IMS (edi-gateway run)"


SANDBOX_SHIP_FROM = "WH1"  # the warehouse the development setup registers


def sandbox_ims_command(settings: Settings) -> list[str]:
    """The `edi-gateway` arguments that start the sandbox IMS with callbacks to this gateway.

    The sandbox IMS also ships every order ``EDI_GATEWAY_SANDBOX_AUTO_SHIP_SECONDS`` (60 by
    default) after its allocation settles and posts the shipment here, so a demo goes from 850 to 856 without anyone packing a truck.
    """
    # Compares the configured bind address to pick a callback address; binds nothing (bandit B104).
    gateway_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host  # nosec B104
    gateway = f"http://{gateway_host}:{settings.port}/api/v1/ims"
    return ["sandbox-ims", "--port", str(settings.sandbox_ims_port), "--stock", str(settings.sandbox_stock),
            "--callback-url", f"{gateway}/allocations", "--shipment-url", f"{gateway}/shipments",
            "--auto-ship-seconds", f"{settings.sandbox_auto_ship_seconds:g}", "--ship-from", SANDBOX_SHIP_FROM]


# The sandbox IMS does not push its stock: the gateway reads it this often (unless
# EDI_GATEWAY_STOCK_PULL_MINUTES says otherwise), so a partner with the 846 switched on gets
# its feeds in a demo.
SANDBOX_STOCK_PULL_MINUTES = "5"


def sandbox_ims_environment(settings: Settings) -> dict[str, str]:
    """Variables for every child of `run`: where the sandbox IMS is, the tokens both ways, and
    how often its stock is read."""
    _check_port_free(settings.sandbox_ims_port)
    ims_token = secrets.token_urlsafe(32)
    with session_scope(settings) as session:
        for old in session.scalars(select(ApiToken).where(ApiToken.label == CALLBACK_TOKEN_LABEL,
                                                          ApiToken.revoked_at.is_(None))):
            old.revoked_at = datetime.now(timezone.utc)
        callback_token = create_token(session, "ims", CALLBACK_TOKEN_LABEL)
    return {
        "EDI_GATEWAY_IMS_URL": f"http://127.0.0.1:{settings.sandbox_ims_port}",
        "EDI_GATEWAY_IMS_TOKEN": ims_token,
        "EDI_GATEWAY_SANDBOX_IMS_TOKEN": ims_token,
        "EDI_GATEWAY_SANDBOX_IMS_CALLBACK_TOKEN": callback_token,
        "EDI_GATEWAY_STOCK_PULL_MINUTES": (str(settings.stock_pull_minutes) if settings.stock_pull_minutes > 0
                                           else SANDBOX_STOCK_PULL_MINUTES),
    }


def _check_port_free(port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise StartupError(f"port {port} for the sandbox IMS is in use (EDI_GATEWAY_SANDBOX_IMS_PORT), "
                               "or set EDI_GATEWAY_IMS_URL to use your IMS") from None


def is_new_installation(settings: Settings) -> bool:
    """True before the first `init` has set up an organisation."""
    with session_scope(settings) as session:
        return session.scalar(select(Organisation.id).limit(1)) is None


def import_demo_catalogue(settings: Settings) -> None:
    with session_scope(settings) as session:
        result = import_catalogue(session, read_catalogue_csv(DEMO_CATALOGUE), actor="init")
    log.warning("new development installation: imported the demo catalogue; replace it with "
                "`edi-gateway catalogue import --replace FILE.csv` or `edi-gateway catalogue drop-demo`",
                entries=result.created)


def add_demo_addresses(settings: Settings) -> None:
    """The demo warehouse WH1 and a demo remit-to, so the sandbox's shipments and invoices go out."""
    with session_scope(settings) as session:
        add_or_update_warehouse(session, *DEMO_WAREHOUSE, actor="init")
        set_remit_to(session, DEMO_REMIT_TO, actor="init")
    log.warning("new development installation: added the demo warehouse WH1 and a demo remit-to; give your own "
                "with `edi-gateway warehouses add CODE ...` and `edi-gateway org remit-to ...`")


def demo_catalogue_items(session: Session) -> list[CatalogueItem]:
    """The demo catalogue's entries still in the catalogue as ``init`` imported them (same
    identifier and SKU): an identifier the brand has since mapped to its own SKU is not one."""
    demo = {(row.qualifier, row.identifier): row.sku for row in read_catalogue_csv(DEMO_CATALOGUE)}
    return [item for item in current_items(session) if demo.get((item.qualifier, item.identifier)) == item.sku]


def drop_demo_catalogue(session: Session, *, actor: str) -> int:
    """Remove the demo entries from the catalogue (kept for POs that name them, as any
    removed entry is); returns how many there were."""
    removed = remove_items(demo_catalogue_items(session))
    if removed:
        audit.record(session, "catalogue.demo_dropped", actor=actor, subject_type="catalogue", removed=removed)
    return removed
