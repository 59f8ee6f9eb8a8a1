"""Properties: whatever the writer accepts, the reader gives back exactly; delimiters in
values are always refused."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edi_maps.x12.delimiters import Delimiters
from edi_maps.x12.reader import X12Reader
from edi_maps.x12.writer import (
    Envelope,
    FunctionalGroup,
    TransactionSet,
    X12WriteError,
    write_interchange,
)

# Separators partners use, plus rarer punctuation and the ASCII information separators.
SEPARATORS = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~§¦¬") + ["\x1c", "\x1d", "\x1e", "\x1f"]
PRINTABLE_SEPARATORS = [char for char in SEPARATORS if char >= " "]
TERMINATORS = [*PRINTABLE_SEPARATORS, "\n", "\r", "\x1c"]
ENVELOPE_TAGS = {"ISA", "IEA", "GS", "GE", "ST", "SE"}


@st.composite
def delimiter_choices(draw) -> tuple[Delimiters, str]:
    """Distinct delimiters (with a repetition separator when the version has one) and the version."""
    version = draw(st.sampled_from(["00401", "00501"]))
    element = draw(st.sampled_from(PRINTABLE_SEPARATORS))
    component = draw(st.sampled_from([c for c in PRINTABLE_SEPARATORS if c != element]))
    segment = draw(st.sampled_from([c for c in TERMINATORS if c not in (element, component)]))
    repetition = "U"
    if version == "00501":
        repetition = draw(st.sampled_from([c for c in PRINTABLE_SEPARATORS if c not in (element, component, segment)]))
    suffix = draw(st.sampled_from([s for s in ("", "\n", "\r\n", "\r") if segment not in s]))
    return Delimiters(element, component, segment, repetition, suffix), version


def text_without(delimiters: Delimiters, *, min_size: int = 0, max_size: int = 12) -> st.SearchStrategy[str]:
    """Latin-1 text free of the delimiters and of control characters ('U' stays: it is data in 00401)."""
    forbidden = {delimiters.element, delimiters.component, delimiters.segment, delimiters.repetition} - {"U"}
    alphabet = st.characters(min_codepoint=32, max_codepoint=255, exclude_characters=forbidden | {"\x7f"})
    return st.text(alphabet, min_size=min_size, max_size=max_size)


TAGS = st.from_regex(r"\A[A-Z][A-Z0-9]{1,2}\Z").filter(lambda tag: tag not in ENVELOPE_TAGS)


@st.composite
def interchanges(draw):
    delimiters, version = draw(delimiter_choices())
    value = text_without(delimiters)
    element = st.one_of(value, st.lists(value, min_size=1, max_size=4).map(tuple))
    # The first element is never empty: a segment must carry data.
    first = text_without(delimiters, min_size=1)
    segment = st.tuples(TAGS, first, st.lists(element, max_size=7)).map(lambda parts: [parts[0], parts[1], *parts[2]])
    identifier = text_without(delimiters, min_size=1, max_size=15).map(str.strip).filter(bool)
    envelope = Envelope(
        draw(st.sampled_from(["ZZ", "01", "12"])), draw(identifier), "ZZ", draw(identifier), version=version
    )
    set_bodies = st.lists(segment, max_size=6)
    groups = [
        FunctionalGroup(
            "PO",
            "AMAZON",
            "ACMEBRANDS",
            control_number,
            "004010",
            [
                TransactionSet(draw(st.sampled_from(["850", "855", "856", "997"])), f"{number:04d}", draw(set_bodies))
                for number in range(1, draw(st.integers(1, 3)) + 1)
            ],
        )
        for control_number in draw(st.lists(st.integers(1, 999_999_999), min_size=1, max_size=3, unique=True))
    ]
    return envelope, draw(st.integers(1, 999_999_999)), groups, delimiters


def _element_text(element: str | tuple[str, ...], component: str) -> str:
    """An element as the reader returns it: composites joined, trailing empty parts left out."""
    if isinstance(element, tuple):
        parts = list(element)
        while parts and parts[-1] == "":
            parts.pop()
        return component.join(parts)
    return element


def _expected_elements(segment: list, component: str) -> tuple[str, ...]:
    elements = [segment[0], *(_element_text(part, component) for part in segment[1:])]
    while elements[-1] == "":
        elements.pop()
    return tuple(elements)


@pytest.mark.slow
@settings(deadline=None)
@given(interchanges(), st.booleans(), st.sampled_from([1, 5, 106, 107, 65536]))
def test_written_interchanges_read_back_exactly(case, as_bytes, chunk_size):
    envelope, control_number, groups, delimiters = case
    text = write_interchange(envelope, control_number, groups, delimiters=delimiters, when=datetime(2026, 11, 20, 9, 30))
    stream = io.BytesIO(text.encode("latin-1")) if as_bytes else io.StringIO(text)
    reader = X12Reader(stream, chunk_size=chunk_size)
    located = list(reader.located())

    assert reader.errors == []
    header = located[0][1].interchange
    assert header.delimiters == delimiters
    assert (header.sender_id, header.receiver_id, header.control_number) == (
        envelope.sender_id,
        envelope.receiver_id,
        f"{control_number:09d}",
    )
    bodies = {}
    for segment, location in located:
        if location.transaction_set is not None and segment.tag not in ("ST", "SE"):
            key = (location.group.control_number, location.transaction_set.control_number)
            bodies.setdefault(key, []).append(segment.elements)
    expected = {
        (str(group.control_number), transaction_set.control_number): [
            _expected_elements(segment, delimiters.component) for segment in transaction_set.segments
        ]
        for group in groups
        for transaction_set in group.transaction_sets
        if transaction_set.segments
    }
    assert bodies == expected
    assert [segment.number for segment, _ in located] == list(range(1, len(located) + 1))


@settings(deadline=None)
@given(st.data())
def test_values_holding_any_delimiter_in_use_are_refused(data):
    delimiters, version = data.draw(delimiter_choices())
    in_use = [
        ("element separator", delimiters.element),
        ("component separator", delimiters.component),
        ("segment terminator", delimiters.segment),
    ]
    if version == "00501":
        in_use.append(("repetition separator", delimiters.repetition))
    name, delimiter = data.draw(st.sampled_from(in_use))
    clean = text_without(delimiters, max_size=5)
    value = data.draw(clean) + delimiter + data.draw(clean)
    position = data.draw(st.integers(1, 5))
    as_component = data.draw(st.booleans())
    element = ("A", value) if as_component else value
    segment = ["MSG", *["X"] * (position - 1), element]
    group = FunctionalGroup("PR", "ACMEBRANDS", "AMAZON", 1, "004010", [TransactionSet("855", "0001", [segment])])
    envelope = Envelope("ZZ", "ACMEBRANDS", "ZZ", "AMAZON", version=version)

    try:
        write_interchange(envelope, 1, [group], delimiters=delimiters, when=datetime(2026, 11, 20))
    except X12WriteError as error:
        field = f"MSG-{position:02d}" + ("-2" if as_component else "")
        assert str(error).startswith(f"{field} value {value!r} contains the {name} {delimiter!r}")
    else:
        raise AssertionError(f"{value!r} with the {name} was written")


@given(st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="*>~\x7f"), min_size=1))
def test_00401_letter_u_and_caret_are_data(value):
    segment = ["MSG", "U" + value + "^"]
    group = FunctionalGroup("PR", "ACMEBRANDS", "AMAZON", 1, "004010", [TransactionSet("855", "0001", [segment])])
    text = write_interchange(Envelope("ZZ", "A", "ZZ", "B"), 1, [group], when=datetime(2026, 11, 20))
    messages = [s for s in X12Reader(io.StringIO(text)) if s.tag == "MSG"]
    assert messages[0].elements == ("MSG", "U" + value + "^")
