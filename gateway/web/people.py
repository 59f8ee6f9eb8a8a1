"""``/users``: admins see who may sign in and add people (ops and finance may not)."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from gateway.platform.db import session_scope
from gateway.access.users import MIN_PASSWORD_LENGTH, ROLES, UserError, create_user, list_users
from gateway.web import login, settings_of

blueprint = Blueprint("people", __name__)
login.protect(blueprint)


@blueprint.get("/users")
@login.requires_permission("manage_users")
def users():
    with session_scope(settings_of(current_app)) as db:
        return render_template("users.html", users=list_users(db), roles=ROLES, min_password=MIN_PASSWORD_LENGTH)


@blueprint.post("/users")
@login.requires_permission("manage_users")
def add_user():
    username, role = request.form.get("username", ""), request.form.get("role", "")
    try:
        with session_scope(settings_of(current_app)) as db:
            create_user(db, username, request.form.get("password", ""), role, actor=current_user.actor)
    except UserError as error:
        flash(str(error), "error")
        with session_scope(settings_of(current_app)) as db:
            return render_template("users.html", users=list_users(db), roles=ROLES, min_password=MIN_PASSWORD_LENGTH,
                                   username=username, role=role), 400
    flash(f"Added {role} user {username.strip()}.", "info")
    return redirect(url_for(".users"))
