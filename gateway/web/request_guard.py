"""Hostile input refused at the door with 400, before a view or the database sees it.

Three kinds of input reached the database driver or the JSON parser and came back as a
500: a NUL character (PostgreSQL text cannot hold one, so psycopg raises on the query)
in a path, a query parameter or a form field; a record id in the path past what an
INTEGER column holds (``/exceptions/99999999999999999999``); and a JSON body nested so
deeply that Python's parser hits its recursion limit (``RecursionError`` is not the
``ValueError`` Flask turns into 400). All are refused for every view here, so no view
has to remember.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_ROW_ID = 2**31 - 1  # the largest INTEGER on PostgreSQL, the type of every id column


class NestingBoundedJSON(DefaultJSONProvider):
    """Flask's JSON, with a body nested past the recursion limit a ``ValueError`` like any bad JSON.

    ``request.get_json()`` then answers 400 (and ``get_json(silent=True)`` gives None)
    instead of a 500. A legitimate body nests a few levels; the limit is about 1000.
    """

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_app(app: Flask) -> None:
    app.json = NestingBoundedJSON(app)
    app.before_request(refuse_nul_characters)
    app.before_request(no_record_past_the_largest_id)


def refuse_nul_characters() -> None:
    """400 for a NUL anywhere in the path, the query or a form; the API answers it as a problem."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    # Forms only: reading request.form of another body (an AS2 message) would consume it.
    if request.mimetype in FORM_TYPES:
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        abort(400, description="a NUL character is not allowed in the address or a form field")


def no_record_past_the_largest_id() -> None:
    """404 for an ``<int:...>`` in the path that no row can have: there is nothing there."""
    if any(isinstance(value, int) and value > MAX_ROW_ID for value in (request.view_args or {}).values()):
        abort(404)
