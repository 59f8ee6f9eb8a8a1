"""``edi-gateway warehouses add CODE ...`` and ``list``: where shipments ship from.

A shipment names its ship-from by CODE; the 856 writes that warehouse's name and address.
"""
from __future__ import annotations

import click

from gateway.platform.db import session_scope
from gateway.shipping.warehouses import WarehouseAddress, WarehouseError, add_or_update_warehouse, list_warehouses


@click.group()
def warehouses() -> None:
    """The warehouses shipments leave from."""


@warehouses.command("add")
@click.argument("code")
@click.option("--name", required=True, help="As the 856 names the ship-from (N102, up to 60 characters).")
@click.option("--street", required=True, help="Street address (N301, up to 55 characters).")
@click.option("--city", required=True, help="City (N401, 2 to 30 characters).")
@click.option("--postal-code", required=True, help="Postal code (N403, 3 to 15 characters).")
@click.option("--country", required=True, help="ISO 3166-1 alpha-2 country code, e.g. US.")
@click.option("--state", help="State or province code (N402, two characters), where the country has them.")
def warehouses_add(code: str, name: str, street: str, city: str, postal_code: str, country: str,
                   state: str | None) -> None:
    """Add a warehouse, or update the one with this CODE (its shipments keep naming it)."""
    from gateway.cli.main import settings

    address = WarehouseAddress(name=name, street=street, city=city, postal_code=postal_code,
                               country=country, state=state)
    with session_scope(settings()) as session:
        warehouse, created = add_or_update_warehouse(session, code, address, actor="cli")
    click.echo(f"{'added' if created else 'updated'} warehouse {warehouse.code}")


@warehouses.command("list")
def warehouses_list() -> None:
    """One line per warehouse: code, name, street, city, state, postal code, country (tab-separated)."""
    from gateway.cli.main import settings

    click.echo("code\tname\tstreet\tcity\tstate\tpostal_code\tcountry")
    with session_scope(settings()) as session:
        for warehouse in list_warehouses(session):
            click.echo(f"{warehouse.code}\t{warehouse.name}\t{warehouse.street}\t{warehouse.city}\t"
                       f"{warehouse.state or ''}\t{warehouse.postal_code}\t{warehouse.country}")


ERRORS = (WarehouseError,)
