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
def catalogue_import(csv_file: Path) -> None:
    """Add or update entries from CSV: qualifier,identifier,sku,unit_cost,case_pack,critical[,discontinued]."""
    from gateway.cli.main import settings

    rows = read_catalogue_csv(csv_file)
    with session_scope(settings()) as session:
        result = import_catalogue(session, rows)
    click.echo(f"imported {csv_file}: {result.created} new, {result.updated} updated", err=True)


@catalogue.command("export")
def catalogue_export() -> None:
    """Write the whole catalogue to stdout in the import format."""
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        export_catalogue(session, sys.stdout)


ERRORS = (CatalogueError,)
