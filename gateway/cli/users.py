"""``edi-gateway users create --username NAME --role ROLE``: the password comes on standard input.

Reading it from standard input (not an option) keeps it out of the shell history and
the process list: ``printf '%s' "$PASSWORD" | edi-gateway users create ...``.
"""
from __future__ import annotations

import click

from gateway.platform.db import session_scope
from gateway.access.users import ROLES, UserError, create_user


@click.group()
def users() -> None:
    """People who sign in to the operations pages."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
def users_create(username: str, role: str) -> None:
    """Add a user; the first line of standard input is the password."""
    from gateway.cli.main import settings

    with click.open_file("-") as stdin:  # "-": the stdin of the deprecated get_text_stream
        password = stdin.readline().rstrip("\r\n")
    with session_scope(settings()) as session:
        create_user(session, username, password, role, actor="cli")
    click.echo(f"created {role} user {username}")


ERRORS = (UserError,)
