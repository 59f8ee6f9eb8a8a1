"""The pages people see for 403 (not theirs to open) and 404 (nothing there).

In the gateway's own look, with a way back home, rather than Werkzeug's bare page that
reads like a broken server. Under ``/api/`` the answer stays the API's problem+json
(``api.http_error``): a handler for one status code takes precedence over the API's
handler for every HTTP error, so it must hand those paths back.
"""
from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from gateway.web.api import http_error

# What each page says when the view that refused gave no reason of its own.
PAGES = {
    403: ("Not allowed", "Your role may not open this page or do this. An admin can change your role."),
    404: ("Page not found", "There is nothing at this address: it may be mistyped, or name a record that does "
                            "not exist."),
}


def init_app(app: Flask) -> None:
    for code in PAGES:
        app.register_error_handler(code, error_page)


def error_page(error: HTTPException):
    if request.path.startswith("/api/"):
        return http_error(error)
    code = error.code or 404
    title, detail = PAGES[code]
    if error.description != type(error).description:  # abort(404, description="...") says more
        detail = error.description or detail
    return render_template("error.html", title=title, detail=detail), code
