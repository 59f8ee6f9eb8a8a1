"""Canonical documents as JSON-ready data, for ``edi-gateway x12 to-json`` and the IMS.

One generic walk over the dataclass fields, so a field added to a document appears in
the JSON without touching this module. Values are chosen to survive JSON exactly:
money and quantities as decimal strings (a float would turn 0.10 into
0.1000000000000000055...), dates as ISO 8601, enums as their X12 codes.

``to_json_bytes`` writes the same JSON straight from the documents, with orjson: for a
200,000-line order it is several times faster than ``json.dumps(to_json_dict(...))``.
"""
from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from operator import methodcaller
from typing import Any

import orjson

JsonValue = str | int | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def to_json_dict(document: Any) -> dict[str, JsonValue]:
    """Turn a canonical document (any dataclass of ``edi_maps.documents``) into a dict
    that ``json.dumps`` accepts as is."""
    if not is_dataclass(document) or isinstance(document, type):
        raise TypeError(f"expected a canonical document, got {type(document).__name__}")
    return _dataclass_dict(document)


def _dataclass_dict(value: Any) -> dict[str, JsonValue]:
    return {field.name: _json_value(getattr(value, field.name)) for field in fields(value)}


def _json_value(value: Any) -> JsonValue:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, Enum):
        return _json_value(value.value)  # the X12 code, a str in every document enum
    if isinstance(value, Decimal):
        return format(value, "f")  # never exponent notation, e.g. "0.0000001" not "1E-7"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [_json_value(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return _dataclass_dict(value)
    if isinstance(value, dict):  # only around documents handed to ``to_json_bytes``: documents hold none
        return {key: _json_value(item) for key, item in value.items()}
    raise TypeError(f"cannot put a {type(value).__name__} into canonical JSON")


def to_json_bytes(value: Any, *, indent: bool = False) -> bytes:
    """``value`` as UTF-8 JSON: the JSON of ``to_json_dict`` for every document in it.

    ``value`` is a canonical document, or a dict or list holding documents. orjson walks
    the dataclasses (fields in their order), enums (their value), dates and datetimes
    (ISO 8601) itself, the same way ``_json_value`` does, and asks ``_DECIMAL_TEXT`` for
    Decimals. An int outside 64 bits, which orjson cannot write, takes the slow path.
    ``indent`` gives two-space indentation, as ``json.dumps(..., indent=2)``. Only the types
    documents are made of are supported: unlike ``to_json_dict``, a float is not refused.
    """
    try:
        return orjson.dumps(value, default=_DECIMAL_TEXT, option=orjson.OPT_INDENT_2 if indent else 0)
    except orjson.JSONEncodeError as error:
        if "64-bit" not in str(error):
            raise
    return json.dumps(_json_value(value), ensure_ascii=False, indent=2 if indent else None,
                      separators=(",", ": ") if indent else (",", ":")).encode()


# orjson asks ``default`` for what it cannot write itself; in a document that is only a
# Decimal, and ``Decimal.__format__`` called from C costs a third less than a Python function.
# Anything else a document cannot hold (a set, bytes) fails there with a TypeError.
_DECIMAL_TEXT = methodcaller("__format__", "f")
