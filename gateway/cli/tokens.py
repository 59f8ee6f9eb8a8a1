"""``edi-gateway tokens create|list|revoke``: bearer tokens for the REST API.

``create`` prints the new token and nothing else (it is stored hashed and cannot be shown
again); ``list`` shows every token's id, role, label and dates, never a secret.
"""
from __future__ import annotations

from datetime import datetime

import click

from gateway.platform.db import session_scope
from gateway.access.tokens import ROLES, TokenError, create_token, list_tokens, revoke_token


@click.group()
def tokens() -> None:
    """Bearer tokens for the REST API."""


@tokens.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--label", default="", help="Who or what the token is for.")
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None,
              help="Refuse the token after this many days (default: never expires).")
def tokens_create(role: str, label: str, expires_in_days: int | None) -> None:
    """Make a token and print it once (it is stored hashed: it cannot be shown again)."""
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        token = create_token(session, role, label, expires_in_days=expires_in_days, actor="cli")
    click.echo(token)


@tokens.command("list")
def tokens_list() -> None:
    """One line per token: id, role, label, created, last used, expires, revoked (tab-separated)."""
    from gateway.cli.main import settings

    click.echo("\t".join(("id", "role", "label", "created", "last_used", "expires", "revoked")))
    with session_scope(settings()) as session:
        for row in list_tokens(session):
            click.echo("\t".join((str(row.id), row.role, row.label, _when(row.created_at), _when(row.last_used_at),
                                  _when(row.expires_at), _when(row.revoked_at))))


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Refuse a token (by its id from ``tokens list``) from now on."""
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        revoke_token(session, token_id, actor="cli")
    click.echo(f"revoked token {token_id}")


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


ERRORS = (TokenError,)
