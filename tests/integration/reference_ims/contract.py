"""Checks JSON against the schemas of docs/ims-api.yaml.

``jsonschema`` is not among the project's dependencies, so this walks the part of JSON
Schema the contract uses ($ref, allOf, oneOf, type, const, enum, required, properties,
additionalProperties: false, items, minItems, pattern, minLength/maxLength,
minimum/maximum, date and date-time formats). A keyword it does not know fails the
check, so a contract growing past this subset cannot slip through unchecked.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import yaml

from tests.fixtures import REPOSITORY

CONTRACT = REPOSITORY / "docs" / "ims-api.yaml"
DOCUMENT = yaml.safe_load(CONTRACT.read_text())
SCHEMAS = DOCUMENT["components"]["schemas"]
KNOWN_KEYWORDS = {
    "$ref", "allOf", "oneOf", "type", "const", "enum", "required", "properties", "additionalProperties",
    "items", "minItems", "minProperties", "pattern", "minLength", "maxLength", "minimum", "maximum", "format",
    "description", "default", "examples",
}
JSON_TYPES = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}


def assert_matches(schema_name: str, value: Any) -> None:
    errors = contract_errors({"$ref": f"#/components/schemas/{schema_name}"}, value)
    assert not errors, f"{schema_name} breaks docs/ims-api.yaml:\n" + "\n".join(errors)


def contract_errors(schema: dict, value: Any, where: str = "") -> list[str]:
    errors: list[str] = []
    unknown = schema.keys() - KNOWN_KEYWORDS
    if unknown:
        return [f"{where or '/'}: the checker does not know {sorted(unknown)}"]
    if "$ref" in schema:
        errors += contract_errors(SCHEMAS[schema["$ref"].rsplit("/", 1)[1]], value, where)
    for part in schema.get("allOf", []):
        errors += contract_errors(part, value, where)
    if "oneOf" in schema:
        matching = sum(not contract_errors(option, value, where) for option in schema["oneOf"])
        if matching != 1:
            errors.append(f"{where or '/'}: matches {matching} of the oneOf options, not exactly 1")
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(JSON_TYPES[name](value) for name in types):
            return errors + [f"{where or '/'}: {value!r} is not of type {types}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where or '/'}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where or '/'}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        errors += _string_errors(schema, value, where or "/")
    if isinstance(value, int) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            errors.append(f"{where}: {value} is out of range")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{where}/{name}: is required")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name in properties:
                errors += contract_errors(properties[name], item, f"{where}/{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}/{name}: is not in the contract")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{where or '/'}: fewer than {schema['minItems']} items")
        for index, item in enumerate(value):
            errors += contract_errors(schema.get("items", {}), item, f"{where}/{index}")
    return errors


def _string_errors(schema: dict, value: str, where: str) -> list[str]:
    errors = []
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
        errors.append(f"{where}: {value!r} has the wrong length")
    parse = {"date": date.fromisoformat, "date-time": datetime.fromisoformat}.get(schema.get("format", ""))
    if parse is not None:
        try:
            parsed = parse(value)
        except ValueError:
            parsed = None
        if parsed is None or (schema["format"] == "date" and len(value) != 10) or (
                schema["format"] == "date-time" and parsed.tzinfo is None):
            errors.append(f"{where}: {value!r} is not a {schema['format']} as RFC 3339 writes it")
    return errors
