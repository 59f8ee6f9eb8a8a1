"""Security headers on every answer: what a browser may load, frame, sniff, cache and refer.

The pages load one stylesheet from this site and no script at all, so the policy allows
nothing else; a template that gains an inline ``<script>`` or ``style=`` is blocked by the
browser (keep styles in ``static/gateway.css``). ``Cache-Control: no-store`` goes on every
answer except the static assets: orders, exceptions and API documents must not stay in a
shared proxy or the browser's cache after sign-out, and one rule for all answers cannot
miss a page the way a "signed in" test could. The AS2 endpoint gets the same headers:
they change nothing a partner's AS2 software reads (the MDN is the body and its
Content-Type).
"""
from __future__ import annotations

from flask import Flask, Response, request

from gateway.web import settings_of

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP 2
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: Flask-WTF's CSRF check compares the Referer with the host on HTTPS,
    # so same-site posts must keep sending it; other sites never see our URLs (PO numbers).
    "Referrer-Policy": "same-origin",
}
# A year, the usual value; no includeSubDomains, since other hosts of the brand's domain are not ours to pin.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
STATIC_ENDPOINTS = frozenset({"login.static"})


def init_app(app: Flask) -> None:
    """Add the headers to every response; HSTS only when people reach the gateway over https."""
    headers = dict(HEADERS)
    if settings_of(app).cookie_secure:  # EDI_GATEWAY_PUBLIC_URL is https://
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.update(headers)
        if request.endpoint not in STATIC_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        return response
