"""Signing in to the operations pages: sessions, roles, CSRF, the throttle and the cookie settings.

The pages use a signed session cookie, never the API's bearer tokens. The cookie names a
server-side session (``gateway.access.sessions``) by a random token made afresh at each
sign-in; it holds no identity of its own (besides it carries Flask-WTF's CSRF secret and
one-shot flash messages), so signing out, an idle spell or a change to the person ends it
for good. Flask-Login's ``current_user`` is loaded from that row on each request.

Sign-in is throttled per username and per client address (``gateway.access.throttle``):
past the limit it answers 429 with ``Retry-After`` and never checks the password.

Each page blueprint calls :func:`protect` so that a request without a session is sent to
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
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm import Session

from gateway.platform import audit
from gateway.platform.config import Settings
from gateway.platform.db import session_scope
from gateway.access import throttle
from gateway.access.sessions import SessionEnd, end_session, resume_session, start_session
from gateway.access.users import authenticate, name_as_given
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
    "print_labels": ("ops",),  # as the API: finance reads shipments, the warehouse side prints
    "release_stock": ("ops",),  # zero-stock holds and held stock snapshots: finance reads them
    "manage_users": (),
}
# The Flask session key that holds the server-side session's token.
SESSION_TOKEN = "session_token"


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
        # The cookie lasts no longer than the server-side session it names.
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.session_max_seconds),
        # Checked by the page blueprints only (see the module docstring).
        WTF_CSRF_CHECK_DEFAULT=False,
        # The token lives as long as the session: a queue left open all day still posts.
        WTF_CSRF_TIME_LIMIT=None,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    # The server-side session is the protection; Flask-Login's own keys are never written.
    login_manager.session_protection = None
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


@login_manager.request_loader
def _load_operator(_request) -> Operator | None:
    """The person of the open server-side session the cookie names, or None (sent to sign in)."""
    token = session.get(SESSION_TOKEN)
    if not isinstance(token, str):
        return None
    settings = settings_of(current_app)
    with session_scope(settings) as db:
        user = resume_session(db, token, idle=timedelta(seconds=settings.session_idle_seconds),
                              lifetime=timedelta(seconds=settings.session_max_seconds))
        return None if user is None else Operator(user.id, user.username, user.role)


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
    address = request.remote_addr or "unknown"
    settings = settings_of(current_app)
    limits = throttle.Limits.of(settings)
    with session_scope(settings) as db:
        wait = throttle.retry_after(db, limits, username, address)
        if wait is not None:
            throttle.record_failure(db, limits, username, address, throttle.FailureOutcome.THROTTLED)
            token = None
        else:
            token = _check_password(db, limits, username, password, address)
    if wait is not None:
        flash(f"Too many failed sign-ins. Try again in {wait} seconds.", "error")
        response = make_response(render_template("login.html", next=target, username=username), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    if token is None:
        flash("Wrong username or password.", "error")
        return render_template("login.html", next=target, username=username), 401
    session.clear()  # a fresh session on sign-in: nothing carried over from before, a new token
    session.permanent = True
    session[SESSION_TOKEN] = token
    return redirect(target)


def _check_password(db: Session, limits: throttle.Limits, username: str, password: str, address: str) -> str | None:
    """A new session's token for the right password (the browser's previous session ended),
    or None, the failure counted; audited either way."""
    user = authenticate(db, username, password) if username and password else None
    audit.record(db, "user.signed_in" if user else "user.sign_in_failed", actor=f"user:{name_as_given(username)}",
                 subject_type="user", subject_id=user.id if user else None, address=address)
    if user is None:
        throttle.record_failure(db, limits, username, address, throttle.FailureOutcome.WRONG_PASSWORD)
        return None
    throttle.forget_failures(db, username)
    previous = session.get(SESSION_TOKEN)
    if isinstance(previous, str):
        end_session(db, previous, SessionEnd.SIGNED_OUT)
    return start_session(db, user, address)


@blueprint.route("/logout", methods=["POST"])
def logout():
    csrf.protect()
    token = session.get(SESSION_TOKEN)
    if current_user.is_authenticated and isinstance(token, str):
        with session_scope(settings_of(current_app)) as db:
            audit.record(db, "user.signed_out", actor=current_user.actor, subject_type="user",
                         subject_id=current_user.id)
            end_session(db, token, SessionEnd.SIGNED_OUT)
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
