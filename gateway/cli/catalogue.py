"""``edi-gateway catalogue import FILE.csv`` and ``export``: the SKU map as merchandising keeps it."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from gateway.catalogue.items import CatalogueError, export_catalogue, import_catalogue, read_catalogue_csv
from gateway.platform.db import session_scope


@click.group()
def catalogue() -> None:
    """Amazon identifiers mapped to IMS SKUs, costs and case packs."""


@catalogue.command("import")
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="The file is the whole catalogue: entries not in it are removed (kept for POs that name them).")
def catalogue_import(csv_file: Path, replace: bool) -> None:
    """Add or update entries from CSV: qualifier,identifier,sku,unit_cost,case_pack,critical[,discontinued,perishable]."""
    from gateway.cli.main import settings

    rows = read_catalogue_csv(csv_file)
    with session_scope(settings()) as session:
        result = import_catalogue(session, rows, replace=replace)
    removed = f", {result.removed} removed (kept for the POs that name them)" if replace else ""
    click.echo(f"imported {csv_file}: {result.created} new, {result.updated} updated{removed}", err=True)


@catalogue.command("drop-demo")
def catalogue_drop_demo() -> None:
    """Remove the demo catalogue that a new installation starts with (kept for POs that name it)."""
    from gateway.cli.main import settings
    from gateway.sandbox import drop_demo_catalogue

    with session_scope(settings()) as session:
        removed = drop_demo_catalogue(session, actor="cli")
    if removed:
        entries = "entry" if removed == 1 else "entries"
        click.echo(f"dropped the demo catalogue: {removed} {entries} removed (kept for the POs that name them)")
    else:
        click.echo("the demo catalogue is not in the catalogue: nothing to drop")


@catalogue.command("export")
def catalogue_export() -> None:
    """Write the whole catalogue to stdout in the import format."""
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        export_catalogue(session, sys.stdout)


ERRORS = (CatalogueError,)
