"""``edi-gateway tokens create --role ROLE``: prints one new bearer token and nothing else."""
from __future__ import annotations

import click

from gateway.platform.db import session_scope
from gateway.access.tokens import ROLES, TokenError, create_token


@click.group()
def tokens() -> None:
    """Bearer tokens for the REST API."""


@tokens.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--label", default="", help="Who or what the token is for.")
def tokens_create(role: str, label: str) -> None:
    """Make a token and print it once (it is stored hashed: it cannot be shown again)."""
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        token = create_token(session, role, label)
    click.echo(token)


ERRORS = (TokenError,)
