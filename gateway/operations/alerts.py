"""Alerts: critical and high exceptions pushed to people by e-mail (SMTP) and a JSON webhook.

Beat runs :func:`send_alerts` every minute. Two rules keep a storm to one message per
channel:
- de-duplication: an exception alerts once on each channel (``emailed_at``,
  ``webhook_posted_at``); seeing it again does not alert again, only its reopening after
  a resolution does (reopening clears both);
- rate limit: at most one message per channel per ``EDI_GATEWAY_ALERT_INTERVAL_SECONDS``,
  and that message is a digest of everything due, so fifty new problems are one e-mail.
Each channel keeps its own record: an exception is marked on a channel only once that
channel took the digest, so a webhook that is down is tried again on the next run
while the e-mail already sent is not sent again.
"""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any, TypedDict

import httpx
import structlog
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from gateway.platform import audit, tls
from gateway.platform.config import Settings
from gateway.platform.db import session_scope
from gateway.operations.exception_queue import KINDS, ExceptionStatus, Severity
from gateway.models import OperationalException

log = structlog.get_logger("gateway.operations.alerts")

ALERT_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)
DIGEST_LINES = 50
TIMEOUT_SECONDS = 10.0


class AlertDeliveryError(Exception):
    """A channel (SMTP server, webhook) did not take the digest; the next run tries again."""


class DigestItem(TypedDict):
    """One exception in the webhook document's ``exceptions`` list."""

    id: int
    kind: str
    title: str
    severity: str
    message: str
    po_number: str | None
    count: int
    first_seen: str
    last_seen: str
    url: str


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    document: dict[str, Any]


@dataclass(frozen=True)
class Channel:
    """One way of telling people, with the column that records what it told them."""

    name: str
    alerted_at: InstrumentedAttribute
    deliver: Callable[[Settings, Digest], None]


def configured_channels(settings: Settings) -> list[Channel]:
    """The channels the settings name: e-mail needs a server and recipients."""
    channels = []
    if settings.smtp_host is not None and settings.alert_email_to:
        channels.append(Channel("email", OperationalException.emailed_at, send_email))
    if settings.alert_webhook_url is not None:
        channels.append(Channel("webhook", OperationalException.webhook_posted_at, post_webhook))
    return channels


def send_alerts(settings: Settings, now: datetime | None = None) -> list[int]:
    """Send each configured channel its digest of the exceptions due; returns the ids
    alerted on any channel (empty: nothing sent). Raises ``AlertDeliveryError`` after
    the other channels had their turn when a channel failed."""
    now = now or datetime.now(timezone.utc)
    alerted: list[int] = []
    failures: list[str] = []
    for channel in configured_channels(settings):
        try:
            alerted += [id_ for id_ in _alert(settings, channel, now) if id_ not in alerted]
        except AlertDeliveryError as error:
            log.warning("alert channel failed; the next run tries again", channel=channel.name, error=str(error))
            failures.append(str(error))
    if failures:
        raise AlertDeliveryError("; ".join(failures))
    return alerted


def _alert(settings: Settings, channel: Channel, now: datetime) -> list[int]:
    """One digest on one channel, unless it sent one within the interval or nothing is due."""
    with session_scope(settings) as session:
        last = session.scalar(select(func.max(channel.alerted_at)))
        if last is not None and now - last < timedelta(seconds=settings.alert_interval_seconds):
            return []
        due = due_for_alert(session, channel)
        if not due:
            return []
        digest = compose(due, settings.public_url)
        ids = [row.id for row in due]
    channel.deliver(settings, digest)
    with session_scope(settings) as session:
        for row in session.scalars(select(OperationalException).where(OperationalException.id.in_(ids))):
            setattr(row, channel.alerted_at.key, now)
        audit.record(session, "alerts.sent", subject_type="exception", channel=channel.name, count=len(ids),
                     exceptions=ids)
    log.info("alert digest sent", channel=channel.name, exceptions=len(ids))
    return ids


def due_for_alert(session: Session, channel: Channel) -> list[OperationalException]:
    """Open critical/high exceptions ``channel`` has not told anyone about yet."""
    return list(session.scalars(
        select(OperationalException)
        .where(OperationalException.status == ExceptionStatus.OPEN, OperationalException.severity.in_(ALERT_SEVERITIES),
               channel.alerted_at.is_(None))
        .order_by(OperationalException.first_seen, OperationalException.id)))


def compose(rows: list[OperationalException], public_url: str) -> Digest:
    """One message for all of ``rows``: critical first, each with a link to its page."""
    rows = sorted(rows, key=lambda row: ALERT_SEVERITIES.index(row.severity))
    critical = sum(1 for row in rows if row.severity == Severity.CRITICAL)
    counted = f"{len(rows)} exceptions need" if len(rows) != 1 else "1 exception needs"
    subject = (f"[edi-gateway] {counted} action"
               + (f" ({critical} critical)" if critical else ""))
    items: list[DigestItem] = [{
        "id": row.id, "kind": row.kind, "title": KINDS[row.kind].title if row.kind in KINDS else row.kind,
        "severity": row.severity, "message": row.message, "po_number": row.po_number, "count": row.count,
        "first_seen": row.first_seen.isoformat(), "last_seen": row.last_seen.isoformat(),
        "url": f"{public_url}/exceptions/{row.id}",
    } for row in rows]
    lines = [f"{item['severity'].upper()}: {item['title']}\n  {item['message']}\n  {item['url']}"
             for item in items[:DIGEST_LINES]]
    if len(items) > DIGEST_LINES:
        lines.append(f"... and {len(items) - DIGEST_LINES} more: {public_url}/exceptions")
    text = "\n\n".join(lines) + "\n"
    return Digest(subject, text, {"text": subject, "exceptions": items})


def send_email(settings: Settings, digest: Digest) -> None:
    if settings.smtp_host is None:  # configured_channels offers e-mail only with a server
        raise AlertDeliveryError("SMTP: no server configured")
    email = EmailMessage()
    email["From"] = settings.alert_email_from
    email["To"] = ", ".join(settings.alert_email_to)
    email["Subject"] = digest.subject
    email.set_content(digest.text)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as error:
        raise AlertDeliveryError(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {error}") from error


def post_webhook(settings: Settings, digest: Digest) -> None:
    if settings.alert_webhook_url is None:  # configured_channels offers it only with a URL
        raise AlertDeliveryError("webhook: no URL configured")
    try:
        httpx.post(settings.alert_webhook_url, json=digest.document, timeout=TIMEOUT_SECONDS,
                   verify=tls.context()).raise_for_status()
    except httpx.HTTPError as error:
        raise AlertDeliveryError(f"webhook: {error}") from error

