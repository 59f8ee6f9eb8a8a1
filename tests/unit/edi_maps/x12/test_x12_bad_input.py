"""Input that is not X12 gives one clean X12SyntaxError, and memory stays bounded."""
from __future__ import annotations

import io
import random
import tracemalloc
from collections.abc import Iterator

import pytest

from edi_maps.x12.errors import X12Error, X12SyntaxError
from edi_maps.x12.reader import X12Reader

ISA = "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEBRANDS     *261120*0930*U*00401*000000401*0*P*>~"
GOOD = ISA + "GS*PO*AMAZON*ACMEBRANDS*20261120*0930*401*X*004010~ST*850*4011~SE*2*4011~GE*1*401~IEA*1*000000401~"


def read_all(data: str | bytes) -> list:
    stream = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
    return list(X12Reader(stream))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("", "empty input: no ISA segment found"),
        (b"", "empty input: no ISA segment found"),
        (" \r\n\t\n", "empty input: no ISA segment found"),
        ("hello, world", "not X12: the data begins with 'hello, world', not with an ISA segment"),
        ('{"order": "2XK7QP9M"}', "not X12: the data begins with '{\"order\": \"2XK7QP9M\"', not with an ISA segment"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not X12: the data begins with '\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR', not with an ISA segment"),
        ("ISA", "truncated: the data ends inside the ISA segment ('ISA')"),
        (ISA[:50], "truncated: the data ends inside the ISA segment after 50 characters"),
        (ISA[:-1], "truncated: the data ends right after the ISA, before its segment terminator"),
        (
            ISA.replace("AMAZON         ", "AMAZON"),
            "the ISA segment must be exactly 106 characters with fixed-width fields: "
            "ISA06 'AMAZON' has 6 characters, the standard fixes 15",
        ),
        (
            ISA.replace("AMAZON         ", "AMAZON          ") + "GS*PO~",
            "the ISA segment must be exactly 106 characters with fixed-width fields: "
            "ISA06 'AMAZON          ' has 16 characters, the standard fixes 15",
        ),
        (
            ISA.replace("*000000401*", "*0000401*") + "GS~",
            "the ISA segment must be exactly 106 characters with fixed-width fields: "
            "ISA13 '0000401' has 7 characters, the standard fixes 9",
        ),
        (ISA.replace("*", "A"), "not X12: the element separator (character 4 of the ISA) cannot be 'A'"),
        (ISA.replace(">~", ">*"), "the ISA declares '*' as both element separator and segment terminator"),
        (ISA.replace(">~", "**"), "the ISA declares '*' as both element separator and component separator"),
        (ISA.replace(">~", "Z~"), "the ISA declares 'Z' as component separator: a letter, digit or space cannot be one"),
        (ISA.replace("*U*00401*", "*>*00501*"), "the ISA declares '>' as both component separator and repetition separator"),
        (ISA.replace("*U*00401*", "*^*4010 *"), "ISA12 version '4010 ' is not a 5-digit X12 control version"),
        (ISA.replace("*", "|", 5), "the ISA segment has fewer than 16 elements separated by '|'"),
    ],
)
def test_bad_input_raises_one_clean_syntax_error(data, message):
    with pytest.raises(X12SyntaxError) as raised:
        read_all(data)
    assert str(raised.value) == message
    assert "\n" not in str(raised.value)
    assert isinstance(raised.value, X12Error)


def test_random_binary_never_raises_anything_but_syntax_errors():
    for seed in range(50):
        data = random.Random(seed).randbytes(2000)
        for prefix in (b"", ISA.encode(), b"ISA"):
            try:
                read_all(prefix + data)
            except X12SyntaxError:
                pass


def test_text_stream_that_cannot_be_decoded():
    stream = io.TextIOWrapper(io.BytesIO(ISA.encode() + b"GS*\xff\xfe~" * 10), encoding="utf-8")
    with pytest.raises(X12SyntaxError, match=r"^not X12 text: invalid start byte at byte \d+ \(utf-8\); open the file in binary mode$"):
        list(X12Reader(stream))


def test_second_interchange_with_a_short_isa_raises_after_the_first():
    reader = X12Reader(io.StringIO(GOOD + ISA[:60]))
    segments = []
    with pytest.raises(X12SyntaxError, match="truncated: the data ends inside the ISA segment after 60 characters"):
        for segment in reader:
            segments.append(segment.tag)
    assert segments == ["ISA", "GS", "ST", "SE", "GE", "IEA"]


class GeneratedStream(io.RawIOBase):
    """A binary stream whose content comes from a generator, never held whole in memory."""

    def __init__(self, parts: Iterator[bytes]) -> None:
        self._parts = parts
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            part = next(self._parts, b"")
            if not part:
                return 0
            self._pending = memoryview(part)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def large_interchange(size: int, value_length: int) -> tuple[Iterator[bytes], int]:
    """About ``size`` bytes: one 850 whose PO1 segments carry ``value_length``-character
    values, and the number of segments it holds."""
    segment = f"PO1*1*2*EA*1.00**VN*{'X' * value_length}~".encode()
    count = size // len(segment)

    def parts() -> Iterator[bytes]:
        yield (GOOD.split("SE*")[0]).encode()
        batch = max(1, 65536 // len(segment))
        for start in range(0, count, batch):
            yield segment * min(batch, count - start)
        yield f"SE*{count + 2}*4011~GE*1*401~IEA*1*000000401~".encode()

    return parts(), count + 6


def count_segments_with_peak(stream: io.RawIOBase) -> tuple[int, list, int]:
    tracemalloc.start()
    try:
        reader = X12Reader(io.BufferedReader(stream))
        count = sum(1 for _ in reader)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, reader.errors, peak


@pytest.mark.slow
def test_200_mb_interchange_is_read_in_bounded_memory():
    parts, expected = large_interchange(200_000_000, 10_000)
    count, errors, peak = count_segments_with_peak(GeneratedStream(parts))

    assert errors == []
    assert count == expected
    assert peak < 5_000_000, f"peak traced memory {peak:,} bytes"


@pytest.mark.slow
def test_many_small_segments_are_read_in_bounded_memory():
    parts, expected = large_interchange(3_000_000, 10)
    count, errors, peak = count_segments_with_peak(GeneratedStream(parts))

    assert errors == []
    assert count == expected
    assert peak < 5_000_000, f"peak traced memory {peak:,} bytes"


def test_data_without_terminators_is_refused_before_it_fills_memory():
    junk = (b"x" * 65536 for _ in range(3200))  # 200 MB, no segment terminator after the ISA
    stream = GeneratedStream(_chain(ISA.encode(), junk))
    tracemalloc.start()
    try:
        with pytest.raises(X12SyntaxError, match=r"^no segment terminator '~' in 1048576 characters after segment 1"):
            list(X12Reader(io.BufferedReader(stream)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
