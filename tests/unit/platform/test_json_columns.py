"""JSON columns are written and read with orjson, and mean what the json module made of them:
the same values back, the same values refused."""
import json
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.platform.db import _json_dumps, _json_loads

# What a JSON column holds: as json writes it, with integers of any size and keys that json
# turns into strings.
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8) | st.integers(), inner, max_size=4), max_leaves=20)


@given(values)
def test_what_is_written_reads_back_as_json_reads_what_json_writes(value):
    expected = json.loads(json.dumps(value))
    assert json.loads(_json_dumps(value)) == expected
    written = json.dumps(value)
    for stored in (written, written.encode(), memoryview(written.encode())):  # SQLite; psycopg
        assert _json_loads(stored) == expected


def test_integers_beyond_64_bits_are_kept_exact_both_ways():
    big = {"quantity": 2**70, "negative": -(2**64) - 1, "sscc": "00012345678901234567"}
    assert json.loads(_json_dumps(big)) == big
    assert _json_loads(json.dumps(big)) == big
    assert isinstance(_json_loads(b'{"n": 12345678901234567890}')["n"], int)


def test_what_json_reads_and_orjson_does_not_is_read():
    assert str(_json_loads('{"x": NaN}')["x"]) == "nan"
    assert _json_loads(b"[Infinity]") == [float("inf")]


@dataclass
class Stamp:
    at: str


@pytest.mark.parametrize("value", [{"at": datetime(2026, 12, 1, tzinfo=timezone.utc)}, [Stamp("x")], {1, 2}])
def test_what_json_refuses_to_write_is_still_refused(value):
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        _json_dumps(value)
