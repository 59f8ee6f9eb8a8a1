"""Canonical documents as JSON-ready data, for ``edi-gateway x12 to-json`` and the IMS.

One generic walk over the dataclass fields, so a field added to a document appears in
the JSON without touching this module. Values are chosen to survive JSON exactly:
money and quantities as decimal strings (a float would turn 0.10 into
0.1000000000000000055...), dates as ISO 8601, enums as their X12 codes.
"""
from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

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
    raise TypeError(f"cannot put a {type(value).__name__} into canonical JSON")
