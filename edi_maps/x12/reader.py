"""Streaming X12 reader: segments in, envelope faults collected on the side.

The reader takes its delimiters from each ISA, reads the stream in chunks (memory stays
bounded whatever the file size) and checks the envelope as it goes: control numbers and
counts of ISA/IEA, GS/GE and ST/SE, missing trailers, segments outside their envelope.
Envelope faults become ``EnvelopeError`` records in ``X12Reader.errors`` so a TA1 or a
997 can report them; input that cannot be read as X12 at all raises ``X12SyntaxError``.

Speed matters (a 200 MB file must not take minutes): ordinary segments cost one
``str.split`` and one ``Segment``; only envelope segments take the slower path.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import IO, Generator

from edi_maps.x12.delimiters import NO_REPETITION, Delimiters
from edi_maps.x12.errors import EnvelopeError, ErrorCode, X12Error, X12SyntaxError
from edi_maps.x12.segment import Segment

__all__ = [
    "Delimiters",
    "EnvelopeError",
    "ErrorCode",
    "GroupHeader",
    "InterchangeHeader",
    "Location",
    "SetHeader",
    "X12Error",
    "X12Reader",
    "X12SyntaxError",
    "isa_width_faults",
    "split_isa",
]

ISA_LENGTH = 106
# Widths of ISA01..ISA16, fixed by the standard so that the delimiters sit at known places.
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
ENVELOPE_TAGS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
CHUNK_SIZE = 1 << 16
# A longer run without a segment terminator means the data is not X12 (or is binary).
MAX_SEGMENT_LENGTH = 1 << 20
WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """The ISA as the rest of the gateway needs it (TA1, 997 envelope, partner lookup)."""

    control_number: str  # ISA13
    sender_qualifier: str
    sender_id: str  # padding removed
    receiver_qualifier: str
    receiver_id: str  # padding removed
    date: str  # ISA09 YYMMDD
    time: str  # ISA10 HHMM
    version: str  # ISA12
    ack_requested: str  # ISA14
    usage_indicator: str  # ISA15
    delimiters: Delimiters


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """The GS: a 997's AK1 needs ``functional_id`` (GS01) and ``control_number`` (GS06)."""

    functional_id: str
    application_sender: str
    application_receiver: str
    control_number: str
    version: str  # GS08


@dataclass(frozen=True, slots=True)
class SetHeader:
    """The ST: a 997's AK2 needs ``code`` (ST01) and ``control_number`` (ST02)."""

    code: str
    control_number: str


@dataclass(frozen=True, slots=True)
class Location:
    """The envelopes a segment sits in; ``group``/``transaction_set`` are ``None`` outside one.

    Envelope segments belong to the envelope they open or close (ST and SE to their set,
    GS and GE to their group).
    """

    interchange: InterchangeHeader
    group: GroupHeader | None
    transaction_set: SetHeader | None


class X12Reader:
    """Reads X12 from a text or binary stream, one or several interchanges.

    Iterate once, either over segments (``for segment in reader``) or over
    ``reader.located()`` for ``(segment, location)`` pairs. ``errors`` fills up as the
    reading goes: faults about a segment are in it by the time that segment is yielded,
    faults about missing trailers when the iteration ends. Bytes are decoded as latin-1,
    which maps every byte to one character, so no input fails to decode and the fixed ISA
    positions hold.
    """

    def __init__(self, stream: IO[str] | IO[bytes], *, chunk_size: int = CHUNK_SIZE) -> None:
        self.errors: list[EnvelopeError] = []
        self._stream = stream
        self._chunk_size = chunk_size

    def __iter__(self) -> Iterator[Segment]:
        return map(itemgetter(0), self.located())

    def located(self) -> Iterator[tuple[Segment, Location]]:
        """Yield each segment with the interchange, group and set it belongs to."""
        chunks = self._chunks()
        text = _skip_whitespace("", chunks)
        if not text:
            raise X12SyntaxError("empty input: no ISA segment found")
        if not text.startswith("ISA"):
            raise X12SyntaxError(f"not X12: the data begins with {text[:20]!r}, not with an ISA segment")
        while text:
            header, text = yield from self._interchange(text, chunks)
            text = _skip_whitespace(text, chunks)
            if text and not text.startswith("ISA"):
                text = self._skip_to_isa(text, chunks, header)

    def _chunks(self) -> Iterator[str]:
        read = self._stream.read
        while True:
            try:
                chunk = read(self._chunk_size)
            except UnicodeDecodeError as exc:
                raise X12SyntaxError(
                    f"not X12 text: {exc.reason} at byte {exc.start} ({exc.encoding}); open the file in binary mode"
                ) from None
            if not chunk:
                return
            if isinstance(chunk, (bytes, bytearray)):
                chunk = chunk.decode("latin-1")
            yield chunk

    def _interchange(
        self, text: str, chunks: Iterator[str]
    ) -> Generator[tuple[Segment, Location], None, tuple[InterchangeHeader, str]]:
        """Read one interchange from ``text`` (which starts with ISA); return what follows it.

        The tight loop below is the reader's hot path: one split per segment, one set
        lookup, and the envelope bookkeeping only for envelope segments and for segments
        outside a transaction set.
        """
        while len(text) < ISA_LENGTH + 3:  # the ISA, a CR LF suffix and what follows, to see the suffix
            chunk = next(chunks, None)
            if chunk is None:
                break
            text += chunk
        isa, header = _parse_isa(text)
        envelope = _Envelope(header, self.errors)
        yield Segment(isa, 1), envelope.location

        delimiters = header.delimiters
        terminator, separator = delimiters.segment, delimiters.element
        number = 1
        buffer = text[ISA_LENGTH:]
        while True:
            buffer = buffer.lstrip(WHITESPACE)
            padded = any(terminator + space in buffer for space in WHITESPACE)
            pieces = buffer.split(terminator)
            buffer = pieces.pop().lstrip(WHITESPACE)
            if padded:
                pieces = [piece.lstrip(WHITESPACE) for piece in pieces]
            location, in_set = envelope.location, envelope.in_set
            first = number + 1  # the number of pieces[0]
            for raw in pieces:
                number += 1
                fields = raw.split(separator)
                tag = fields[0]
                if not in_set or tag in ENVELOPE_TAGS or len(tag) > 3:
                    if raw.startswith("ISA"):  # a new interchange before this one's IEA
                        envelope.interrupted(number)
                        return header, terminator.join(pieces[number - first :] + [buffer])
                    segment = Segment(tuple(fields), number)
                    yield segment, envelope.handle(segment)
                    if envelope.ended:
                        return header, terminator.join(pieces[number - first + 1 :] + [buffer])
                    location, in_set = envelope.location, envelope.in_set
                    continue
                yield Segment(tuple(fields), number), location

            if buffer.startswith("ISA") and len(buffer) > ISA_LENGTH:
                envelope.interrupted(number + 1)  # a new ISA with another segment terminator
                return header, buffer
            if len(buffer) > MAX_SEGMENT_LENGTH:
                raise X12SyntaxError(
                    f"no segment terminator {terminator!r} in {MAX_SEGMENT_LENGTH} characters after segment "
                    f"{number} of interchange {header.control_number}: the data is not X12"
                )
            chunk = next(chunks, None)
            if chunk is None:
                break
            buffer += chunk

        if buffer.startswith("ISA"):
            envelope.interrupted(number + 1)
            return header, buffer
        if buffer:
            envelope.truncated(number + 1, buffer)
        envelope.finish(number + 1)
        return header, ""

    def _skip_to_isa(self, text: str, chunks: Iterator[str], previous: InterchangeHeader) -> str:
        """Skip data found after an IEA up to the next ISA, reporting it once."""
        terminator = previous.delimiters.segment
        tag = text.split(previous.delimiters.element, 1)[0][:10]
        self.errors.append(
            EnvelopeError.of(
                ErrorCode.OUTSIDE_INTERCHANGE,
                f"data after the IEA of interchange {previous.control_number} does not start a new ISA "
                f"(it starts with {tag!r}); ignored up to the next ISA",
                interchange=None,
                segment_tag=tag,
            )
        )
        while True:
            pieces = text.split(terminator)
            for index, piece in enumerate(pieces):
                if piece.lstrip(WHITESPACE).startswith("ISA"):
                    return terminator.join(pieces[index:]).lstrip(WHITESPACE)
            chunk = next(chunks, None)
            if chunk is None:
                return ""
            text = pieces[-1] if len(pieces[-1]) < MAX_SEGMENT_LENGTH else ""
            text += chunk


def _skip_whitespace(text: str, chunks: Iterator[str]) -> str:
    """``text`` without leading whitespace or byte order mark, reading on while it is blank."""
    while True:
        text = text.lstrip(WHITESPACE + "\ufeff")
        if text.startswith("\xef\xbb\xbf"):  # a UTF-8 byte order mark read as latin-1
            text = text[3:]
            continue
        if len(text) >= 3:
            return text
        chunk = next(chunks, None)
        if chunk is None:
            return text
        text += chunk


def split_isa(text: str) -> tuple[list[str], str]:
    """ISA01..ISA16 of the ISA at the start of ``text``, split at its element separator
    (character 4), and the character after ISA16 (the segment terminator, "" when the data
    ends there). Field widths are not checked: this is how an ISA whose fields are not
    padded to their fixed widths can still be read, to answer it with a TA1.

    Raises ``X12SyntaxError`` when there is no ISA with 16 elements to split.
    """
    if not text.startswith("ISA"):
        raise X12SyntaxError(f"not X12: the data begins with {text[:20]!r}, not with an ISA segment")
    if len(text) < 4:
        raise X12SyntaxError(f"truncated: the data ends inside the ISA segment ({text!r})")
    element = text[3]
    if element.isalnum() or element == " ":
        raise X12SyntaxError(f"not X12: the element separator (character 4 of the ISA) cannot be {element!r}")
    separators = [3]
    while len(separators) < len(ISA_WIDTHS):
        position = text.find(element, separators[-1] + 1, ISA_LENGTH * 2)
        if position == -1:
            if len(text) < ISA_LENGTH:
                raise X12SyntaxError(f"truncated: the data ends inside the ISA segment after {len(text)} characters")
            raise X12SyntaxError(f"the ISA segment has fewer than 16 elements separated by {element!r}")
        separators.append(position)
    fields = [text[start + 1 : end] for start, end in zip(separators, separators[1:])]
    fields.append(text[separators[-1] + 1 : separators[-1] + 2])
    return fields, text[separators[-1] + 2 : separators[-1] + 3]


def isa_width_faults(fields: list[str]) -> list[tuple[int, str]]:
    """``(element number, what is wrong)`` for each ISA field that is not its fixed width."""
    return [
        (number, f"ISA{number:02d} {value!r} has {len(value)} characters, the standard fixes {width}")
        for number, (value, width) in enumerate(zip(fields, ISA_WIDTHS), start=1)
        if len(value) != width
    ]


def _parse_isa(text: str) -> tuple[tuple[str, ...], InterchangeHeader]:
    """Split the fixed-width ISA at the start of ``text`` and read the delimiters from it.

    Raises ``X12SyntaxError`` when the ISA is not exactly 106 characters or its delimiters
    are unusable: without a sound ISA nothing after it can be split reliably.
    """
    fields, _ = split_isa(text)
    faults = isa_width_faults(fields)
    if faults:
        raise X12SyntaxError(
            f"the ISA segment must be exactly {ISA_LENGTH} characters with fixed-width fields: {faults[0][1]}"
        )
    if len(text) < ISA_LENGTH:
        raise X12SyntaxError("truncated: the data ends right after the ISA, before its segment terminator")
    version = fields[11]
    after = text[ISA_LENGTH:]
    delimiters = Delimiters(
        element=text[3],
        component=fields[15],
        segment=text[ISA_LENGTH - 1],
        repetition=fields[10] if version >= "00402" else NO_REPETITION,
        suffix=after[: len(after) - len(after.lstrip("\r\n"))],
    )
    _check_delimiters(delimiters, version)
    header = InterchangeHeader(
        control_number=fields[12],
        sender_qualifier=fields[4],
        sender_id=fields[5].rstrip(),
        receiver_qualifier=fields[6],
        receiver_id=fields[7].rstrip(),
        date=fields[8],
        time=fields[9],
        version=version,
        ack_requested=fields[13],
        usage_indicator=fields[14],
        delimiters=delimiters,
    )
    return ("ISA", *fields), header


def _check_delimiters(delimiters: Delimiters, version: str) -> None:
    if not (len(version) == 5 and version.isdigit()):
        raise X12SyntaxError(f"ISA12 version {version!r} is not a 5-digit X12 control version")
    seen: dict[str, str] = {}
    for name, value in delimiters.in_use().items():
        if value.isalnum() or value == " ":
            raise X12SyntaxError(f"the ISA declares {value!r} as {name}: a letter, digit or space cannot be one")
        if value in seen:
            raise X12SyntaxError(f"the ISA declares {value!r} as both {seen[value]} and {name}")
        seen[value] = name


class _Envelope:
    """Envelope bookkeeping of one interchange: open group and set, counts, faults.

    Counting is cheap on purpose: a set's segment count is the difference between the SE's
    and the ST's interchange positions, so ordinary segments need no bookkeeping at all.
    """

    def __init__(self, header: InterchangeHeader, errors: list[EnvelopeError]) -> None:
        self.header = header
        self.errors = errors
        self.location = Location(header, None, None)
        self.in_set = False
        self.ended = False
        self._group_count = 0
        self._set_count = 0
        self._set_start = 0
        self._stray_reported = False
        if not (len(header.control_number) == 9 and header.control_number.isdigit()):
            self._missing(ErrorCode.ISA13_INVALID, f"ISA13 {header.control_number!r} is not a 9-digit control number",
                          1, "ISA")

    def handle(self, segment: Segment) -> Location:
        """Check an envelope segment, or a segment outside a set; return its location."""
        tag = segment.tag
        handler = self._handlers.get(tag)
        if handler is None:
            return self._outside_set(segment)
        self._stray_reported = False
        return handler(self, segment)

    def _gs(self, segment: Segment) -> Location:
        self._close_open(segment.number, segment.tag)
        group = GroupHeader(segment[1], segment[2], segment[3], segment[6], segment[8])
        if not (segment[6].isdigit() and len(segment[6]) <= 9):
            self._error(ErrorCode.GS06_INVALID, f"GS06 {segment[6]!r} is not a 1-9 digit group control number",
                        segment, group=group)
        self._group_count += 1
        self._set_count = 0
        self.location = Location(self.header, group, None)
        return self.location

    def _st(self, segment: Segment) -> Location:
        self._close_set(segment.number, segment.tag)
        group = self.location.group
        transaction_set = SetHeader(segment[1], segment[2])
        if group is None:
            self._error(ErrorCode.OUTSIDE_GROUP, "ST outside any functional group (no GS before it)", segment)
        if not (len(segment[1]) == 3 and segment[1].isdigit()):
            self._error(ErrorCode.ST01_INVALID, f"ST01 {segment[1]!r} is not a 3-digit transaction set code",
                        segment, transaction_set=transaction_set)
        if not 4 <= len(segment[2]) <= 9:
            self._error(ErrorCode.ST02_INVALID, f"ST02 {segment[2]!r} is not a 4-9 character control number",
                        segment, transaction_set=transaction_set)
        self._set_count += 1
        self._set_start = segment.number
        self.in_set = True
        self.location = Location(self.header, group, transaction_set)
        return self.location

    def _se(self, segment: Segment) -> Location:
        location = self.location
        transaction_set = location.transaction_set
        if transaction_set is None:
            self._error(ErrorCode.OUTSIDE_SET, "SE without a transaction set (no ST before it)", segment)
            return location
        if segment[2] != transaction_set.control_number:
            self._error(ErrorCode.SE_CONTROL_MISMATCH,
                        f"SE02 {segment[2]!r} does not match ST02 {transaction_set.control_number!r}", segment)
        counted = segment.number - self._set_start + 1
        if _count(segment[1]) != counted:
            self._error(ErrorCode.SE_SEGMENT_COUNT,
                        f"SE01 is {segment[1]!r} but transaction set {transaction_set.control_number} has "
                        f"{counted} segments (ST to SE)", segment)
        self.in_set = False
        self.location = Location(self.header, location.group, None)
        return location

    def _ge(self, segment: Segment) -> Location:
        self._close_set(segment.number, segment.tag)
        location = self.location
        group = location.group
        if group is None:
            self._error(ErrorCode.OUTSIDE_GROUP, "GE without a functional group (no GS before it)", segment)
            return location
        if segment[2] != group.control_number:
            self._error(ErrorCode.GE_CONTROL_MISMATCH,
                        f"GE02 {segment[2]!r} does not match GS06 {group.control_number!r}", segment)
        if _count(segment[1]) != self._set_count:
            self._error(ErrorCode.GE_SET_COUNT,
                        f"GE01 is {segment[1]!r} but functional group {group.control_number} has "
                        f"{self._set_count} transaction sets", segment)
        self.location = Location(self.header, None, None)
        return location

    def _iea(self, segment: Segment) -> Location:
        self._close_open(segment.number, segment.tag)
        control_number = self.header.control_number
        if segment[2] != control_number:
            self._error(ErrorCode.IEA_CONTROL_MISMATCH,
                        f"IEA02 {segment[2]!r} does not match ISA13 {control_number!r}", segment)
        if _count(segment[1]) != self._group_count:
            self._error(ErrorCode.IEA_GROUP_COUNT,
                        f"IEA01 is {segment[1]!r} but interchange {control_number} has "
                        f"{self._group_count} functional groups", segment)
        self.ended = True
        return self.location

    _handlers = {"GS": _gs, "ST": _st, "SE": _se, "GE": _ge, "IEA": _iea}

    def _outside_set(self, segment: Segment) -> Location:
        if segment.tag == "TA1" and self.location.group is None:
            return self.location  # TA1 acknowledgements sit in the interchange, outside any group
        if not self._stray_reported:
            self._stray_reported = True
            if self.location.group is None:
                self._error(ErrorCode.OUTSIDE_GROUP,
                            f"{segment.tag[:10]} is outside any functional group (no GS before it)", segment)
            else:
                self._error(ErrorCode.OUTSIDE_SET,
                            f"{segment.tag[:10]} is outside any transaction set (no ST before it)", segment)
        return self.location

    def interrupted(self, number: int) -> None:
        """A new ISA arrived at position ``number`` before this interchange's IEA."""
        self._close_open(number, "ISA")
        self._missing(ErrorCode.IEA_MISSING, f"interchange {self.header.control_number} has no IEA trailer "
                                             f"(a new ISA starts at segment {number})", number, "ISA")

    def truncated(self, number: int, tail: str) -> None:
        """The data ended inside a segment: ``tail`` has no terminator after it."""
        terminator = self.header.delimiters.segment
        self._missing(ErrorCode.TRUNCATED, f"the data ends inside a segment: {tail[:40]!r} has no "
                                           f"segment terminator {terminator!r}", number, tail[:3])

    def finish(self, number: int) -> None:
        """The data ended at position ``number`` without this interchange's IEA."""
        self._close_open(number, None)
        self._missing(ErrorCode.IEA_MISSING,
                      f"the data ends before the IEA of interchange {self.header.control_number}", number, None)

    def _close_open(self, number: int, found: str | None) -> None:
        """Report the set and group still open where ``found`` closes or opens an envelope."""
        self._close_set(number, found)
        group = self.location.group
        if group is not None:
            where = f"{found} found at segment {number}" if found else "the data ends"
            self._missing(ErrorCode.GE_MISSING, f"functional group {group.control_number} has no GE trailer ({where})",
                          number, found)
            self.location = Location(self.header, None, None)

    def _close_set(self, number: int, found: str | None) -> None:
        transaction_set = self.location.transaction_set
        if transaction_set is not None:
            where = f"{found} found at segment {number}" if found else "the data ends"
            self._missing(ErrorCode.SE_MISSING,
                          f"transaction set {transaction_set.control_number} ({transaction_set.code}) has no SE "
                          f"trailer ({where})", number, found)
            self.in_set = False
            self.location = Location(self.header, self.location.group, None)

    def _missing(self, code: ErrorCode, message: str, number: int, found: str | None) -> None:
        location = self.location
        self.errors.append(
            EnvelopeError.of(
                code,
                message,
                interchange=self.header.control_number,
                group=location.group.control_number if location.group else None,
                transaction_set=location.transaction_set.control_number if location.transaction_set else None,
                segment_number=number,
                segment_tag=found,
            )
        )

    def _error(
        self,
        code: ErrorCode,
        message: str,
        segment: Segment,
        *,
        group: GroupHeader | None = None,
        transaction_set: SetHeader | None = None,
    ) -> None:
        location = self.location
        group = group or location.group
        transaction_set = transaction_set or location.transaction_set
        self.errors.append(
            EnvelopeError.of(
                code,
                message,
                interchange=self.header.control_number,
                group=group.control_number if group else None,
                transaction_set=transaction_set.control_number if transaction_set else None,
                segment_number=segment.number,
                segment_tag=segment.tag[:10],
            )
        )


def _count(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def transaction_sets(reader: X12Reader) -> Iterator[tuple[list[Segment], Location]]:
    """Each transaction set's segments, ST to SE, with the envelopes it sits in.

    The translators take one set at a time; this is the one place that cuts a stream of
    segments into sets. A set cut off by a broken envelope is not yielded.
    """
    current: list[Segment] = []
    append = current.append
    for segment, location in reader.located():
        tag = segment.elements[0]  # not the ``tag`` property: this loop sees every segment
        if tag == "ST":
            current = [segment]
            append = current.append
        elif current:
            append(segment)
            if tag == "SE":
                yield current, location
                current = []
