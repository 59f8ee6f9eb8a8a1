"""``edi-gateway users create|list|disable|enable|set-role|reset-password``: people who sign in.

Passwords come on standard input (not an option), which keeps them out of the shell
history and the process list: ``printf '%s' "$PASSWORD" | edi-gateway users create ...``.
Disabling, changing a role and resetting a password end that person's open sessions.
"""
from __future__ import annotations

from collections.abc import Callable

import click
from sqlalchemy.orm import Session

from gateway.platform.db import session_scope
from gateway.access.users import (
    ROLES,
    UserError,
    create_user,
    find_user,
    list_users,
    reset_password,
    set_active,
    set_role,
)
from gateway.models import User


@click.group()
def users() -> None:
    """People who sign in to the operations pages."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
def users_create(username: str, role: str) -> None:
    """Add a user; the first line of standard input is the password."""
    from gateway.cli.main import settings

    password = _password_from_stdin()
    with session_scope(settings()) as session:
        create_user(session, username, password, role, actor="cli")
    click.echo(f"created {role} user {username}")


@users.command("list")
def users_list() -> None:
    """One line per user: username, role, active, created (tab-separated)."""
    from gateway.cli.main import settings

    click.echo("username\trole\tactive\tcreated")
    with session_scope(settings()) as session:
        for user in list_users(session):
            click.echo(f"{user.username}\t{user.role}\t{'yes' if user.active else 'no'}\t"
                       f"{user.created_at.strftime('%Y-%m-%dT%H:%M:%SZ')}")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Stop a user signing in and end their sessions."""
    _change(username, lambda session, user: set_active(session, user, False, actor="cli"), "disabled user {}")


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Let a disabled user sign in again."""
    _change(username, lambda session, user: set_active(session, user, True, actor="cli"), "enabled user {}")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def users_set_role(username: str, role: str) -> None:
    """Give a user another role (their sessions end)."""
    _change(username, lambda session, user: set_role(session, user, role, actor="cli"),
            f"user {{}} is now {role}")


@users.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """Set a user's password from the first line of standard input (their sessions end)."""
    password = _password_from_stdin()
    _change(username, lambda session, user: reset_password(session, user, password, actor="cli"),
            "reset the password of user {}")


def _change(username: str, change: Callable[[Session, User], None], done: str) -> None:
    from gateway.cli.main import settings

    with session_scope(settings()) as session:
        user = find_user(session, username)
        change(session, user)
        name = user.username
    click.echo(done.format(name))


def _password_from_stdin() -> str:
    with click.open_file("-") as stdin:  # "-": the stdin of the deprecated get_text_stream
        return stdin.readline().rstrip("\r\n")


ERRORS = (UserError,)
