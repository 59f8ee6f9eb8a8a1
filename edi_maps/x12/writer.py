"""X12 writer: interchanges in the partner's delimiters, or a clear refusal.

A value that contains a delimiter would silently shift every element after it at the
partner's end, so the writer refuses it and names the field instead of escaping (X12 has
no escape). Control numbers are allocated elsewhere (the database never reuses them);
the writer only checks they fit their fields, and computes every count itself.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from edi_maps.x12.delimiters import NO_REPETITION, Delimiters
from edi_maps.x12.errors import X12Error, X12WriteError

__all__ = [
    "Delimiters",
    "Element",
    "Envelope",
    "FunctionalGroup",
    "TransactionSet",
    "X12Error",
    "X12WriteError",
    "write_interchange",
    "write_ta1_interchange",
]

ENVELOPE_TAGS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
MAX_CONTROL_NUMBER = 999_999_999
# Characters the reader skips after a segment terminator, so the only ones a suffix may hold.
SUFFIX_CHARACTERS = "\r\n"

# One element of a body segment: a value, or a composite given as its components.
Element = str | Sequence[str]


@dataclass(frozen=True)
class Envelope:
    """Who an interchange is from and to (ISA05-08) and how it is to be handled."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    version: str = "00401"  # ISA12
    usage_indicator: str = "P"  # ISA15: P production, T test, I information
    ack_requested: str = "0"  # ISA14: 1 asks for a TA1


@dataclass(frozen=True)
class TransactionSet:
    """One set: its body between ST and SE, each segment ``[tag, el1, el2, ...]``.

    An element given as a tuple or list of strings is a composite, joined with the
    component separator.
    """

    code: str  # ST01, "855"
    control_number: str  # ST02, 4-9 characters
    segments: Sequence[Sequence[Element]]


@dataclass(frozen=True)
class FunctionalGroup:
    functional_id: str  # GS01, "PR"
    application_sender: str  # GS02
    application_receiver: str  # GS03
    control_number: int  # GS06, 1-999999999
    version: str  # GS08, "004010"
    transaction_sets: Sequence[TransactionSet]


def write_interchange(
    envelope: Envelope,
    control_number: int,
    groups: Sequence[FunctionalGroup],
    *,
    delimiters: Delimiters = Delimiters(),
    when: datetime,
) -> str:
    """The whole interchange as text, ISA to IEA, or ``X12WriteError`` naming the bad field.

    ``control_number`` is ISA13 (= IEA02); ``when`` dates the ISA and the GS headers.
    """
    _check_delimiters(delimiters, envelope.version)
    composer = _Composer(delimiters)
    _check_range("ISA13 (interchange control number)", control_number)
    if not groups:
        raise X12WriteError("an interchange needs at least one functional group")
    segments = [_isa(composer, envelope, control_number, delimiters, when)]
    seen_groups: set[int] = set()
    for group in groups:
        if group.control_number in seen_groups:
            raise X12WriteError(f"GS06 {group.control_number} is used by two groups of one interchange")
        seen_groups.add(group.control_number)
        segments.extend(_group(composer, group, when))
    segments.append(composer.segment("IEA", [str(len(groups)), f"{control_number:09d}"]))
    end = delimiters.segment + delimiters.suffix
    return end.join(segments) + end


def write_ta1_interchange(
    envelope: Envelope,
    control_number: int,
    ta1: Sequence[str],
    *,
    delimiters: Delimiters = Delimiters(),
    when: datetime,
) -> str:
    """An interchange holding only a TA1 (``["TA1", ISA13, date, time, code, note]``).

    A TA1 answers an interchange whose envelope was unusable, so it travels alone:
    ISA, TA1, IEA with a group count of zero.
    """
    _check_delimiters(delimiters, envelope.version)
    composer = _Composer(delimiters)
    _check_range("ISA13 (interchange control number)", control_number)
    if not ta1 or ta1[0] != "TA1":
        raise X12WriteError(f"expected a TA1 segment, got {list(ta1)[:1]}")
    segments = [
        _isa(composer, envelope, control_number, delimiters, when),
        composer.segment("TA1", list(ta1[1:]), "TA1"),
        composer.segment("IEA", ["0", f"{control_number:09d}"]),
    ]
    end = delimiters.segment + delimiters.suffix
    return end.join(segments) + end


def _isa(composer: _Composer, envelope: Envelope, control_number: int, delimiters: Delimiters, when: datetime) -> str:
    """The fixed-width ISA: every field padded or checked to its exact width."""
    fields = [
        "00",
        " " * 10,
        "00",
        " " * 10,
        _fixed(composer, "ISA05 (Envelope.sender_qualifier)", envelope.sender_qualifier, 2, 2),
        _fixed(composer, "ISA06 (Envelope.sender_id)", envelope.sender_id, 1, 15),
        _fixed(composer, "ISA07 (Envelope.receiver_qualifier)", envelope.receiver_qualifier, 2, 2),
        _fixed(composer, "ISA08 (Envelope.receiver_id)", envelope.receiver_id, 1, 15),
        when.strftime("%y%m%d"),
        when.strftime("%H%M"),
        delimiters.repetition,
        envelope.version,
        f"{control_number:09d}",
        _one_of("ISA14 (Envelope.ack_requested)", envelope.ack_requested, ("0", "1")),
        _one_of("ISA15 (Envelope.usage_indicator)", envelope.usage_indicator, ("P", "T", "I")),
        delimiters.component,
    ]
    return delimiters.element.join(["ISA", *fields])


def _group(composer: _Composer, group: FunctionalGroup, when: datetime) -> list[str]:
    _check_range("GS06 (FunctionalGroup.control_number)", group.control_number)
    functional_id = composer.value("GS01 (FunctionalGroup.functional_id)", group.functional_id)
    if not (len(functional_id) == 2 and functional_id.isalpha() and functional_id.isupper()):
        raise X12WriteError(f"GS01 (FunctionalGroup.functional_id) {functional_id!r} is not a 2-letter code")
    if not group.transaction_sets:
        raise X12WriteError(f"functional group {group.control_number} has no transaction sets")
    header = composer.segment(
        "GS",
        [
            functional_id,
            _fixed(composer, "GS02 (FunctionalGroup.application_sender)", group.application_sender, 2, 15, pad=False),
            _fixed(composer, "GS03 (FunctionalGroup.application_receiver)", group.application_receiver, 2, 15, pad=False),
            when.strftime("%Y%m%d"),
            when.strftime("%H%M"),
            str(group.control_number),
            "X",
            _fixed(composer, "GS08 (FunctionalGroup.version)", group.version, 1, 12, pad=False),
        ],
    )
    segments = [header]
    seen_sets: set[str] = set()
    for transaction_set in group.transaction_sets:
        if transaction_set.control_number in seen_sets:
            raise X12WriteError(
                f"ST02 {transaction_set.control_number!r} is used by two sets of functional group {group.control_number}"
            )
        seen_sets.add(transaction_set.control_number)
        segments.extend(_transaction_set(composer, transaction_set))
    segments.append(composer.segment("GE", [str(len(group.transaction_sets)), str(group.control_number)]))
    return segments


def _transaction_set(composer: _Composer, transaction_set: TransactionSet) -> list[str]:
    code, control_number = transaction_set.code, transaction_set.control_number
    if not (isinstance(code, str) and len(code) == 3 and code.isdigit()):
        raise X12WriteError(f"ST01 (TransactionSet.code) {code!r} is not a 3-digit transaction set code")
    if not (isinstance(control_number, str) and 4 <= len(control_number) <= 9 and control_number.isascii()
            and control_number.isalnum()):
        raise X12WriteError(
            f"ST02 (TransactionSet.control_number) {control_number!r} is not 4-9 letters or digits"
        )
    where = f"transaction set {code} {control_number}"
    segments = [composer.segment("ST", [code, control_number])]
    for position, body in enumerate(transaction_set.segments, start=1):
        if not body or not isinstance(body[0], str):
            raise X12WriteError(f"body segment {position} of {where} has no tag")
        tag = body[0]
        if not (2 <= len(tag) <= 3 and tag.isascii() and tag.isalnum() and tag[0].isalpha() and tag.isupper()):
            raise X12WriteError(f"body segment {position} of {where}: {tag!r} is not a segment tag")
        if tag in ENVELOPE_TAGS:
            raise X12WriteError(f"body segment {position} of {where}: {tag} is written by the writer itself")
        segments.append(composer.segment(tag, body[1:], f"{where}, body segment {position}"))
    segments.append(composer.segment("SE", [str(len(segments) + 1), control_number]))
    return segments


class _Composer:
    """Checks values against one set of delimiters and joins them into segments."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.delimiters = delimiters
        self.forbidden = {char: name for name, char in delimiters.in_use().items()}

    def value(self, field: str, value: object, where: str = "") -> str:
        """``value`` unchanged, or ``X12WriteError`` when it is not text or holds a delimiter.

        Control characters are refused too: they are not X12 data, and CR/LF would be
        taken for padding between segments.
        """
        context = f" ({where})" if where else ""
        if not isinstance(value, str):
            raise X12WriteError(f"{field} value {value!r} is not text{context}")
        for char in value:
            if char in self.forbidden:
                raise X12WriteError(f"{field} value {value!r} contains the {self.forbidden[char]} {char!r}{context}")
            if char < " " or char == "\x7f":
                raise X12WriteError(f"{field} value {value!r} contains the control character {char!r}{context}")
        return value

    def segment(self, tag: str, elements: Sequence[Element], where: str = "") -> str:
        """One segment without its terminator; trailing empty elements are left out.

        ``where`` locates the segment in error messages (which set, which body segment).
        """
        values = [tag]
        for position, element in enumerate(elements, start=1):
            field = f"{tag}-{position:02d}"
            if isinstance(element, (tuple, list)):
                components = [
                    self.value(f"{field}-{index}", part, where) for index, part in enumerate(element, start=1)
                ]
                values.append(self.delimiters.component.join(_trim(components)))
            else:
                values.append(self.value(field, element, where))
        values = _trim(values)
        if len(values) == 1:
            raise X12WriteError(f"segment {tag} has no data: every element is empty" + (f" ({where})" if where else ""))
        return self.delimiters.element.join(values)


def _trim(values: list[str]) -> list[str]:
    while values and values[-1] == "":
        values.pop()
    return values


def _fixed(composer: _Composer, field: str, value: str, minimum: int, maximum: int, *, pad: bool = True) -> str:
    """A checked value of ``minimum``-``maximum`` characters, space-padded to ``maximum`` for the ISA."""
    value = composer.value(field, value)
    if not minimum <= len(value) <= maximum or value != value.strip():
        raise X12WriteError(
            f"{field} value {value!r} must be {minimum}-{maximum} characters without leading or trailing spaces"
            if minimum != maximum
            else f"{field} value {value!r} must be exactly {minimum} characters"
        )
    return value.ljust(maximum) if pad else value


def _one_of(field: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise X12WriteError(f"{field} value {value!r} must be one of {', '.join(allowed)}")
    return value


def _check_range(field: str, control_number: int) -> None:
    if isinstance(control_number, bool) or not isinstance(control_number, int):
        raise X12WriteError(f"{field} {control_number!r} is not an integer")
    if not 1 <= control_number <= MAX_CONTROL_NUMBER:
        raise X12WriteError(f"{field} {control_number} is outside 1-{MAX_CONTROL_NUMBER}")


def _check_delimiters(delimiters: Delimiters, version: str) -> None:
    """Refuse delimiters a reader could not tell apart from data or from each other."""
    if not (isinstance(version, str) and len(version) == 5 and version.isdigit()):
        raise X12WriteError(f"ISA12 (Envelope.version) {version!r} is not a 5-digit control version")
    if version < "00402" and delimiters.repetition != NO_REPETITION:
        raise X12WriteError(
            f"version {version} has no repetition separator: ISA11 is the standards identifier 'U', "
            f"so Delimiters.repetition must be 'U', not {delimiters.repetition!r}"
        )
    if version >= "00402" and delimiters.repetition == NO_REPETITION:
        raise X12WriteError(f"version {version} needs a repetition separator in ISA11 (e.g. '^'), not 'U'")
    seen: dict[str, str] = {}
    for name, char in delimiters.in_use().items():
        if not isinstance(char, str) or len(char) != 1:
            raise X12WriteError(f"the {name} must be one character, not {char!r}")
        if char.isalnum() or char == " " or (char < " " and name != "segment terminator"):
            raise X12WriteError(f"{char!r} cannot be the {name}: it would be read as data")
        if char in seen:
            raise X12WriteError(f"{char!r} cannot be both the {seen[char]} and the {name}")
        seen[char] = name
    if any(char not in SUFFIX_CHARACTERS or char == delimiters.segment for char in delimiters.suffix):
        raise X12WriteError(
            f"Delimiters.suffix {delimiters.suffix!r} may hold only CR and LF, and not the segment terminator"
        )
