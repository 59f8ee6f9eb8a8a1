"""Fixtures for the X12 reader and writer tests: a read-everything helper."""
from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from edi_maps.x12.errors import EnvelopeError
from edi_maps.x12.reader import Location, X12Reader
from edi_maps.x12.segment import Segment

Read = Callable[[str | bytes], tuple[list[tuple[Segment, Location]], list[EnvelopeError]]]


@pytest.fixture
def read() -> Read:
    """Read text (as a text stream) or bytes (as a binary stream) to the end."""

    def read_all(data: str | bytes) -> tuple[list[tuple[Segment, Location]], list[EnvelopeError]]:
        stream = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
        reader = X12Reader(stream)
        return list(reader.located()), reader.errors

    return read_all
