"""Signing in to the operations pages: sessions, roles, CSRF and the cookie settings.

The pages use a signed session cookie (Flask-Login), never the API's bearer tokens. Each
page blueprint calls :func:`protect` so that a request without a session is sent to
``/login`` and every form post must carry its CSRF token. CSRF is checked per page
blueprint rather than app-wide because ``/as2`` and ``/api/v1`` are called by machines
that have no form to carry a token.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from pathlib import Path
from urllib.parse import urlsplit

import structlog
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import session_scope
from gateway.models import User
from gateway.access.users import authenticate
from gateway.web import settings_of

log = structlog.get_logger("gateway.web.login")

# The templates and the stylesheet of every page; served here because the sign-in page needs them too.
blueprint = Blueprint("login", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/assets")
csrf = CSRFProtect()
login_manager = LoginManager()

# What each role may do beyond reading the pages; admin may do everything.
PERMISSIONS = {
    "act_on_exceptions": ("ops", "finance"),  # acknowledge, assign, note, resolve
    "replay": ("ops",),
    "manage_users": (),
}
SESSION_HOURS = 12


@dataclass(frozen=True)
class Operator(UserMixin):
    """The signed-in person as the pages need them: loaded from ``app_user`` each request."""

    id: int
    username: str
    role: str

    @property
    def actor(self) -> str:
        """How they are named in the audit trail."""
        return f"user:{self.username}"


def init_app(app: Flask) -> None:
    """Session secret, cookie flags, CSRF and Flask-Login for the pages."""
    settings = settings_of(app)
    app.secret_key = session_secret(settings)
    app.config.update(
        SESSION_COOKIE_NAME="edi_gateway_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        # Checked by the page blueprints only (see the module docstring).
        WTF_CSRF_CHECK_DEFAULT=False,
        # The token lives as long as the session: a queue left open all day still posts.
        WTF_CSRF_TIME_LIMIT=None,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    app.jinja_env.globals["can"] = can
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_blueprint(blueprint)


def session_secret(settings: Settings) -> str:
    """``EDI_GATEWAY_SECRET_KEY``, or a development secret made once in the data folder (0600).

    Every web process must sign with the same secret, so the file is created atomically
    (written aside, then hard-linked into place) and whoever loses the race reads the winner's.
    """
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secrets" / "session-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _create_secret_file(path)
        log.warning("EDI_GATEWAY_SECRET_KEY is not set: made a development session secret file", path=str(path))
    return path.read_text().strip()


def _create_secret_file(path: Path) -> None:
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(os.urandom(32).hex())
    try:
        os.link(aside, path)
    except FileExistsError:
        pass
    finally:
        aside.unlink()


@login_manager.user_loader
def _load_operator(user_id: str) -> Operator | None:
    if not user_id.isdigit():
        return None
    with session_scope(settings_of(current_app)) as db:
        user = db.get(User, int(user_id))
        if user is None or not user.active:
            return None
        return Operator(user.id, user.username, user.role)


@login_manager.unauthorized_handler
def _to_login():
    return redirect(url_for("login.login", next=request.full_path.rstrip("?")))


def protect(pages: Blueprint) -> None:
    """Every request to ``pages`` needs a session; every post, its CSRF token."""

    @pages.before_request
    def _signed_in_with_token():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if request.method == "POST":
            csrf.protect()
        return None


def can(permission: str) -> bool:
    """Whether the signed-in person may do ``permission`` (see ``PERMISSIONS``)."""
    role = getattr(current_user, "role", None)
    return role == "admin" or role in PERMISSIONS[permission]


def requires_permission(permission: str) -> Callable:
    """Refuse the view with 403 unless the signed-in person's role allows ``permission``."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    target = _local_path(request.values.get("next", "")) or url_for("pages.home")
    if request.method == "GET":
        return render_template("login.html", next=target)
    csrf.protect()
    username, password = request.form.get("username", ""), request.form.get("password", "")
    with session_scope(settings_of(current_app)) as db:
        user = authenticate(db, username, password) if username and password else None
        audit.record(db, "user.signed_in" if user else "user.sign_in_failed", actor=f"user:{username.strip()[:64]}",
                     subject_type="user", subject_id=user.id if user else None, address=request.remote_addr)
        operator = Operator(user.id, user.username, user.role) if user else None
    if operator is None:
        flash("Wrong username or password.", "error")
        return render_template("login.html", next=target, username=username), 401
    session.clear()  # a fresh session on sign-in: nothing carried over from before
    session.permanent = True
    login_user(operator)
    return redirect(target)


@blueprint.route("/logout", methods=["POST"])
def logout():
    csrf.protect()
    if current_user.is_authenticated:
        with session_scope(settings_of(current_app)) as db:
            audit.record(db, "user.signed_out", actor=current_user.actor, subject_type="user",
                         subject_id=current_user.id)
    logout_user()
    session.clear()
    flash("Signed out.", "info")
    return redirect(url_for("login.login"))


def _local_path(target: str) -> str | None:
    """``target`` when it is a path on this site, so ``next`` cannot send anyone elsewhere."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _csrf_failed(error: CSRFError):
    return render_template("error.html", title="Form expired or forged",
                           detail=f"{error.description} Reload the page and try again."), 400
