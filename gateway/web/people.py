"""``/users``: admins see who may sign in, add people, disable or enable them, change their
role and reset their password (ops and finance may not). Every change is audited under the
admin's name; disabling, a new role and a new password end that person's sessions."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from gateway.platform.db import session_scope
from gateway.access.users import (
    MIN_PASSWORD_LENGTH,
    ROLES,
    UserError,
    create_user,
    list_users,
    reset_password,
    set_active,
    set_role,
)
from gateway.models import User
from gateway.web import login, settings_of

blueprint = Blueprint("people", __name__)
login.protect(blueprint)


@blueprint.get("/users")
@login.requires_permission("manage_users")
def users():
    return _page()


@blueprint.post("/users")
@login.requires_permission("manage_users")
def add_user():
    username, role = request.form.get("username", ""), request.form.get("role", "")
    try:
        with session_scope(settings_of(current_app)) as db:
            create_user(db, username, request.form.get("password", ""), role, actor=current_user.actor)
    except UserError as error:
        flash(str(error), "error")
        return _page(username=username, role=role), 400
    flash(f"Added {role} user {username.strip()}.", "info")
    return redirect(url_for(".users"))


@blueprint.post("/users/<int:user_id>/disable")
@login.requires_permission("manage_users")
def disable_user(user_id: int):
    return _change(user_id, lambda db, user: set_active(db, user, False, actor=current_user.actor),
                   "Disabled {}; their sessions ended.")


@blueprint.post("/users/<int:user_id>/enable")
@login.requires_permission("manage_users")
def enable_user(user_id: int):
    return _change(user_id, lambda db, user: set_active(db, user, True, actor=current_user.actor), "Enabled {}.")


@blueprint.post("/users/<int:user_id>/role")
@login.requires_permission("manage_users")
def change_role(user_id: int):
    role = request.form.get("role", "")
    return _change(user_id, lambda db, user: set_role(db, user, role, actor=current_user.actor),
                   f"{{}} is now {role}; their sessions ended.")


@blueprint.post("/users/<int:user_id>/password")
@login.requires_permission("manage_users")
def change_password(user_id: int):
    password = request.form.get("password", "")
    return _change(user_id, lambda db, user: reset_password(db, user, password, actor=current_user.actor),
                   "Reset the password of {}; their sessions ended.")


def _change(user_id: int, change: Callable[[Session, User], None], done: str):
    """Apply ``change`` to the user, then back to the list (400 with the reason when refused)."""
    try:
        with session_scope(settings_of(current_app)) as db:
            user = db.get(User, user_id)
            if user is None:
                abort(404)
            change(db, user)
            name = user.username
    except UserError as error:
        flash(str(error), "error")
        return _page(), 400
    flash(done.format(name), "info")
    return redirect(url_for(".users"))


def _page(**form: str) -> str:
    with session_scope(settings_of(current_app)) as db:
        return render_template("users.html", users=list_users(db), roles=ROLES, min_password=MIN_PASSWORD_LENGTH,
                               **form)
