"""``sandbox_ims``: serve the reference IMS (registered as ``edi-gateway sandbox-ims``).

It runs on werkzeug's threaded server: enough for one gateway in a demo or a test, and
free of gunicorn's forking, which would give each worker its own callback thread.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from reference_ims.app import create_app
from reference_ims.shipments import ShippingSettings
from reference_ims.shipping import DEFAULT_COMPANY_PREFIX, DEFAULT_SHIP_FROM
from reference_ims.stock import StockFileError


def default_database() -> Path:
    """``<EDI_GATEWAY_DATA_DIR or ./var>/sandbox-ims.sqlite3``, beside the gateway's own data."""
    data_dir = os.environ.get("EDI_GATEWAY_DATA_DIR", "").strip() or "./var"
    return Path(data_dir).expanduser().absolute() / "sandbox-ims.sqlite3"


@click.command("sandbox-ims")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8090, show_default=True, help="HTTP port.")
@click.option("--stock", "stock_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Starting stock: CSV with sku,on_hand,reserved[,restock_date,discontinued,case_pack].")
@click.option("--database", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite file [default: <EDI_GATEWAY_DATA_DIR or ./var>/sandbox-ims.sqlite3].")
@click.option("--token", envvar="EDI_GATEWAY_SANDBOX_IMS_TOKEN", required=True,
              help="Bearer token the gateway must send (EDI_GATEWAY_SANDBOX_IMS_TOKEN).")
@click.option("--callback-url", help="Where to post allocation changes, e.g. http://127.0.0.1:8080/api/v1/ims/allocations.")
@click.option("--callback-token", envvar="EDI_GATEWAY_SANDBOX_IMS_CALLBACK_TOKEN",
              help="The gateway's bearer token for callbacks (EDI_GATEWAY_SANDBOX_IMS_CALLBACK_TOKEN).")
@click.option("--shipment-url",
              help="SANDBOX: where to post shipments, e.g. http://127.0.0.1:8080/api/v1/ims/shipments (with --callback-token).")
@click.option("--ship-from", default=DEFAULT_SHIP_FROM, show_default=True,
              help="SANDBOX: the warehouse code shipments leave from, as registered in the gateway.")
@click.option("--gs1-company-prefix", default=DEFAULT_COMPANY_PREFIX, show_default=True,
              help="SANDBOX: GS1 company prefix of the SSCCs on cartons and pallets (the default is GS1's example).")
@click.option("--auto-ship-seconds", type=click.FloatRange(min=0), default=0, show_default=True,
              help="SANDBOX: ship orders whose allocation has not changed for this long; 0 = never.")
@click.option("--faults", is_flag=True, help="TEST ONLY: enable POST /_faults to make the IMS fail on purpose.")
def sandbox_ims(host: str, port: int, stock_csv: Path | None, database: Path | None, token: str,
                callback_url: str | None, callback_token: str | None, shipment_url: str | None, ship_from: str,
                gs1_company_prefix: str, auto_ship_seconds: float, faults: bool) -> None:
    """Run the reference IMS, a stand-in for your Inventory Management System."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    shipping = ShippingSettings(ship_from=ship_from, company_prefix=gs1_company_prefix)
    try:
        app = create_app(database or default_database(), token=token, stock_csv=stock_csv,
                         callback_url=callback_url, callback_token=callback_token, shipment_url=shipment_url,
                         shipping=shipping, auto_ship_seconds=auto_ship_seconds, faults=faults)
    except (StockFileError, ValueError) as error:  # a bad stock file or prefix, a URL without its token, an old database
        raise click.ClickException(str(error)) from None
    click.echo(f"reference IMS on http://{host}:{port}{' with fault injection' if faults else ''}", err=True)
    app.run(host=host, port=port, threaded=True)


if __name__ == "__main__":
    sandbox_ims()
