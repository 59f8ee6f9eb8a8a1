"""The ``edi-gateway`` command.

Configuration errors and start-up failures end the program with one line on stderr and
exit code 2, never a traceback: an operator reading it should know what to fix.

This module imports only click and the standard library: settings, logging, the start-up
checks and the database are imported by the commands that use them, so a command that
needs none (``x12 to-json``) starts without loading SQLAlchemy, structlog or Celery.
"""
from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from gateway.platform.private_files import make_new_files_private

if TYPE_CHECKING:
    from gateway.platform.config import Settings


def location_options(command: Callable) -> Callable:
    """``--data-dir`` and ``--port``: the same as EDI_GATEWAY_DATA_DIR / EDI_GATEWAY_PORT.

    They are written to the environment so child processes (``run``) inherit them.
    """

    def apply(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None:
            os.environ[f"EDI_GATEWAY_{param.name.upper()}"] = str(value)

    command = click.option("--data-dir", type=click.Path(file_okay=False), expose_value=False,
                           callback=apply, help="Data folder (EDI_GATEWAY_DATA_DIR).")(command)
    command = click.option("--port", type=int, expose_value=False, callback=apply,
                           help="HTTP port (EDI_GATEWAY_PORT).")(command)
    return command


def settings() -> Settings:
    from gateway.platform.config import load_settings
    from gateway.platform.logging import configure_logging

    loaded = load_settings()
    configure_logging(loaded)
    return loaded


class LazyGroup(click.Group):
    """A click group whose sub-commands in ``LAZY_COMMANDS`` are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attribute = LAZY_COMMANDS[name].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup)
def cli() -> None:
    """EDI gateway for Amazon Vendor Central: AS2, X12 and your IMS."""


@cli.command()
@location_options
def init() -> None:
    """Create the data folder and bring the database schema up to date."""
    current = settings()
    initialise(current)
    click.echo(f"initialised {current.data_dir}")


def initialise(current: Settings) -> None:
    """Data folder, schema, and on a new installation a development organisation with a key,
    the demo catalogue, the demo warehouse and remit-to."""
    from gateway.platform import db
    from gateway.platform.preflight import check_database
    from gateway.sandbox.development import ensure_development_identity
    from gateway.sandbox import add_demo_addresses, import_demo_catalogue, is_new_installation

    current.data_dir.mkdir(parents=True, exist_ok=True)
    check_database(current)
    db.upgrade(current)
    new = is_new_installation(current)
    ensure_development_identity(current)
    if new:
        import_demo_catalogue(current)
        add_demo_addresses(current)


@cli.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.option("--down", is_flag=True, help="Downgrade to --revision (e.g. base) instead of upgrading.")
def migrate(revision: str, down: bool) -> None:
    """Upgrade (or downgrade) the database schema."""
    from gateway.platform import db
    from gateway.platform.preflight import check_database

    current = settings()
    check_database(current)
    if down:
        db.downgrade(current, "base" if revision == "head" else revision)
    else:
        db.upgrade(current, revision)
    click.echo(f"schema at {db.schema_revision(current)}")


@cli.command()
@location_options
def run() -> None:
    """Initialise, then run web, worker and beat (and the sandbox IMS when no IMS is set) until Ctrl-C."""
    from gateway.platform.preflight import check_database, check_port_free, check_queue
    from gateway.platform.runner import run_together
    from gateway.sandbox import sandbox_ims_command, sandbox_ims_environment

    current = settings()
    current.data_dir.mkdir(parents=True, exist_ok=True)
    check_database(current)
    check_queue(current)
    check_port_free(current)
    initialise(current)
    scheme = "https" if current.tls_cert_file else "http"
    click.echo(f"edi-gateway on {scheme}://{current.host}:{current.port} (data in {current.data_dir})", err=True)
    if current.ims_url is not None:
        sys.exit(run_together())
    environment = sandbox_ims_environment(current)
    click.echo(f"sandbox IMS on {environment['EDI_GATEWAY_IMS_URL']} (stock from {current.sandbox_stock}; "
               "set EDI_GATEWAY_IMS_URL for your IMS)", err=True)
    sys.exit(run_together(extra={"sandbox-ims": sandbox_ims_command(current)}, environment=environment))


@cli.command()
@location_options
def serve() -> None:
    """Run the web server (gunicorn)."""
    from gateway.platform.preflight import check_database, check_port_free, check_queue
    from gateway.web.server import serve as serve_web

    current = settings()
    check_database(current)
    check_queue(current)
    check_port_free(current)
    serve_web(current)


@cli.command()
@click.option("--concurrency", type=int, default=None, help="Worker processes (EDI_GATEWAY_WORKER_CONCURRENCY).")
def worker(concurrency: int | None) -> None:
    """Run a Celery worker."""
    from gateway.platform.preflight import check_database, check_queue

    current = settings()
    check_database(current)
    check_queue(current)
    from gateway.platform.queue import worker_queues
    from workers.celery_app import app

    app.worker_main([
        "worker",
        f"--loglevel={current.log_level}",
        f"--concurrency={concurrency or current.worker_concurrency}",
        f"--queues={','.join(worker_queues(current))}",  # in the order they are served
        "--without-gossip",
        "--without-mingle",
    ])


@cli.command()
def beat() -> None:
    """Run the Celery beat scheduler (exactly one per installation)."""
    from gateway.platform.preflight import check_queue

    current = settings()
    check_queue(current)
    from workers.celery_app import app

    current.data_dir.mkdir(parents=True, exist_ok=True)
    app.start(["beat", f"--loglevel={current.log_level}", f"--schedule={current.data_dir / 'celerybeat-schedule'}"])


# Sub-command groups, loaded only when named: `edi-gateway tokens create` need not import
# pyas2lib, pyx12 and the reference IMS, which take seconds to load.
LAZY_COMMANDS = {
    "org": "gateway.cli.as2:org",
    "partners": "gateway.cli.as2:partners",
    "certs": "gateway.cli.as2:certs",
    "catalogue": "gateway.cli.catalogue:catalogue",
    "finance": "gateway.cli.finance:finance",
    "inventory": "gateway.cli.inventory:inventory",
    "tokens": "gateway.cli.tokens:tokens",
    "users": "gateway.cli.users:users",
    "warehouses": "gateway.cli.warehouses:warehouses",
    "x12": "gateway.cli.x12:x12",
    # The reference IMS is a separate service (its own database); the CLI only starts it.
    "sandbox-ims": "reference_ims.cli:sandbox_ims",
}


def user_errors() -> tuple[type[Exception], ...]:
    """Errors that mean "you asked wrong": ours, and the ``ERRORS`` of each loaded command module.

    Only modules already loaded are asked: one that was not imported raised nothing.
    """
    errors: tuple[type[Exception], ...] = ()
    for name, attribute in (("gateway.platform.config", "ConfigError"), ("gateway.platform.preflight", "StartupError")):
        if (module := sys.modules.get(name)) is not None:
            errors += (getattr(module, attribute),)
    for target in LAZY_COMMANDS.values():
        module = sys.modules.get(target.split(":")[0])
        errors += getattr(module, "ERRORS", ())
    return errors


def is_database_error(error: Exception) -> bool:
    """A ``SQLAlchemyError``, without importing SQLAlchemy: a command that never loaded it raised none."""
    exceptions = sys.modules.get("sqlalchemy.exc")
    return exceptions is not None and isinstance(error, exceptions.SQLAlchemyError)


def main() -> None:
    # Before anything is written: the data folder, the database, the broker's messages,
    # and every process `run` starts (they inherit it) keep their files to this account.
    make_new_files_private()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except Exception as error:
        if is_database_error(error):
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            click.echo(f"edi-gateway: error: database: {reason} (check EDI_GATEWAY_DATABASE_URL, "
                       "run `edi-gateway init`)", err=True)
            sys.exit(2)
        if not isinstance(error, user_errors()):
            raise
        click.echo(f"edi-gateway: error: {error}", err=True)
        sys.exit(2)

