"""The 997s (and TA1s) we owe a partner for what they sent, built from a ValidationReport.

pyx12 can write a 997 itself, but not one Amazon should receive: it writes GS08 as
``00401``, takes ISA13 from the clock, copies or restarts control numbers and hard-codes
``~ * :``. Here we only build the bodies; ``edi_maps.x12.writer`` writes them in the
partner's delimiters with control numbers the caller allocated (never the inbound ones).

X12 rules followed: one 997 per inbound functional group (AK1 names it), an AK2..AK5 for
every set in it, AK9 with the group's counts; the 997 group carries the GS08 of the groups
it answers. An interchange whose envelope is bad is answered with a TA1 instead, and that
TA1 is valid X12 whatever the refused ISA held (see ``build_ta1`` and ``reply_envelope``).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from edi_maps.validation import GroupResult, InterchangeResult, SegmentFinding, SetResult
from edi_maps.x12.delimiters import Delimiters
from edi_maps.x12.errors import X12WriteError
from edi_maps.x12.writer import Element, Envelope, FunctionalGroup, TransactionSet

_VERSION_OF_ISA12 = {"00401": "004010", "00501": "005010"}
MAX_AK4_PER_AK3 = 99  # AK4 max use in 004010
AK404_MAX_LENGTH = 99
# Characters an AN element may hold (X12 extended character set), so AK404 stays valid.
_AN_CHARACTERS = re.compile(r"""[A-Za-z0-9!"&'()*+,\-./:;?= %~@\[\]_{}\\|<>#$]+""")


def build_997(group: GroupResult, control_number: str, *, delimiters: Delimiters = Delimiters()) -> TransactionSet:
    """The 997 answering one inbound functional group.

    ``control_number`` is our ST02. ``delimiters`` are the ones the 997 will be written
    in: a copy of a bad value (AK404) that cannot be written in them is left out rather
    than making the whole acknowledgment unwritable. A set whose ST01/ST02 is too
    garbled to repeat in an AK2 gets no AK2 loop (it is optional); AK9 still counts it
    as received and not accepted.
    """
    segments: list[Sequence[Element]] = [["AK1", group.functional_id, group.control_number]]
    for tset in group.sets:
        if _can_echo(tset, delimiters):
            segments.extend(_set_response(tset, delimiters))
    segments.append(
        ["AK9", group.status, str(group.sets_included), str(group.sets_received), str(group.sets_accepted),
         *group.codes]
    )
    return TransactionSet("997", control_number, segments)


# GS01 of a group of 997s.
FUNCTIONAL_ACK_GROUP = "FA"


def build_ack_groups(
    interchange: InterchangeResult,
    group_control_numbers: Iterable[int],
    *,
    delimiters: Delimiters = Delimiters(),
) -> list[FunctionalGroup]:
    """The FA groups answering every group of an interchange that is not itself an FA group.

    Acknowledgements are never acknowledged (X12.6): a partner's 997s get no 997 of ours,
    so an interchange of 997s only gets none at all (an empty list). One 997 per other
    inbound group; 997s for groups of the same GS08 share one FA group, so
    one control number is taken from ``group_control_numbers`` per distinct version.
    Application sender and receiver are the inbound group's, swapped. ST02s are numbered
    0001, 0002, ... within each FA group. A group that came without GS08 is answered in
    the interchange's version.
    """
    numbers = iter(group_control_numbers)
    by_version: dict[tuple[str, str, str], list[GroupResult]] = {}
    for group in interchange.groups:
        if group.functional_id == FUNCTIONAL_ACK_GROUP:
            continue
        version = group.version or _VERSION_OF_ISA12.get(interchange.version, "004010")
        key = (version, group.application_receiver, group.application_sender)
        by_version.setdefault(key, []).append(group)
    out = []
    for (version, sender, receiver), groups in by_version.items():
        try:
            control_number = next(numbers)
        except StopIteration:
            raise ValueError(f"not enough group control numbers for {len(by_version)} FA groups") from None
        sets = [build_997(group, f"{index:04d}", delimiters=delimiters) for index, group in enumerate(groups, start=1)]
        out.append(FunctionalGroup("FA", sender, receiver, control_number, version, sets))
    return out


def reply_envelope(interchange: InterchangeResult, fallback: Envelope | None = None) -> Envelope:
    """The envelope of our answer: the inbound one with sender and receiver swapped.

    A refused interchange may hold values an ISA cannot carry (that may be why it was
    refused), and its TA1 must still be valid X12: a qualifier, version or usage indicator
    the validation found wrong, or an id that is not 1-15 valid characters, is taken from
    ``fallback``, the envelope we use towards this partner, when the caller knows it.
    Without one, a qualifier becomes ZZ (mutually defined), the version 00401 and the
    usage indicator P; an unreadable id stays as it is, and the writer refuses it with
    ``X12WriteError`` naming the field. An id that is only unpadded is readable: kept.
    """
    faults = {issue.code for issue in interchange.issues}
    default = fallback or Envelope("ZZ", interchange.receiver_id, "ZZ", interchange.sender_id)

    def qualifier(value: str, note: str, instead: str) -> str:
        return value if re.fullmatch(r"[0-9A-Z]{2}", value) and note not in faults else instead

    def interchange_id(value: str, instead: str) -> str:
        return value if _is_interchange_id(value) else instead

    return Envelope(
        sender_qualifier=qualifier(interchange.receiver_qualifier, "007", default.sender_qualifier),
        sender_id=interchange_id(interchange.receiver_id, default.sender_id),
        receiver_qualifier=qualifier(interchange.sender_qualifier, "005", default.receiver_qualifier),
        receiver_id=interchange_id(interchange.sender_id, default.receiver_id),
        version=interchange.version if interchange.version in _VERSION_OF_ISA12 and "017" not in faults
        else default.version,
        usage_indicator=interchange.usage_indicator if interchange.usage_indicator in ("P", "T", "I")
        and "020" not in faults else default.usage_indicator,
    )


def _is_interchange_id(value: str) -> bool:
    """ISA06/ISA08 without their padding: AN 1-15, no leading or trailing space."""
    return 1 <= len(value) <= 15 and value == value.strip() and _AN_CHARACTERS.fullmatch(value) is not None


@dataclass(frozen=True)
class Ta1:
    """An interchange acknowledgment: TA1*ISA13*ISA09*ISA10*ack code*note code."""

    control_number: str
    date: str
    time: str
    ack_code: str
    note_code: str

    @property
    def elements(self) -> list[str]:
        return ["TA1", self.control_number, self.date, self.time, self.ack_code, self.note_code]

    def render(self, delimiters: Delimiters = Delimiters()) -> str:
        """The segment with its terminator, to sit between an ISA and IEA of ours."""
        return delimiters.element.join(self.elements) + delimiters.segment


def build_ta1(interchange: InterchangeResult, *, when: datetime) -> Ta1 | None:
    """The TA1 rejecting an interchange whose envelope is bad, or None when it is sound
    (its groups are then answered with 997s).

    Every element fits its X12 type, whatever the refused ISA held. TA101 is ISA13 (N0
    9/9: a shorter number is padded with zeros, which is the same number). TA102 and
    TA103 are ISA09 and ISA10 when they are a real date (YYMMDD) and time (HHMM); one
    that is not (it may be the very fault the TA1 reports) is replaced by the date or
    time of ``when``, today's date and the time now as the caller's clock gives them,
    never copied. TA104 is R, TA105 the note code (I18, 3 digits) of the first fault the
    validation found.

    Raises ``X12WriteError`` when ISA13 is not a number of 1-9 digits: no TA1 could
    name the interchange it refuses.
    """
    if interchange.ta1_note_code is None:
        return None
    control_number = interchange.control_number
    if not re.fullmatch(r"[0-9]{1,9}", control_number):
        raise X12WriteError(
            f"TA101: ISA13 {control_number!r} is not a 1-9 digit interchange control number, "
            f"so no TA1 can name interchange {control_number!r}"
        )
    return Ta1(
        control_number=control_number.zfill(9),
        date=_copied_or_now(interchange.date, "%y%m%d", when),
        time=_copied_or_now(interchange.time, "%H%M", when),
        ack_code="R",
        note_code=interchange.ta1_note_code,
    )


def _copied_or_now(value: str, pattern: str, when: datetime) -> str:
    """``value`` when it is a real date or time written as ``pattern`` (YYMMDD, HHMM), else ``when``'s."""
    ours = when.strftime(pattern)
    if len(value) == len(ours) and value.isdigit():
        try:
            datetime.strptime(value, pattern)
        except ValueError:
            return ours
        return value
    return ours


def _can_echo(tset: SetResult, delimiters: Delimiters) -> bool:
    """Whether ST01 and ST02 fit AK201 (3 digits) and AK202 (4-9 characters) as received."""
    control_number = tset.control_number
    return (
        re.fullmatch(r"[0-9]{3}", tset.set_id) is not None
        and 4 <= len(control_number) <= 9
        and _bad_value_copy(control_number, delimiters) == control_number
    )


def _set_response(tset: SetResult, delimiters: Delimiters) -> list[Sequence[Element]]:
    segments: list[Sequence[Element]] = [["AK2", tset.set_id, tset.control_number]]
    for error in tset.segment_errors:
        segments.extend(_segment_note(error, delimiters))
    segments.append(["AK5", tset.status, *tset.codes])
    return segments


def _segment_note(error: SegmentFinding, delimiters: Delimiters) -> list[Sequence[Element]]:
    segments: list[Sequence[Element]] = [["AK3", _segment_id(error.tag), str(error.position), error.loop_id, error.code]]
    for element in error.elements[:MAX_AK4_PER_AK3]:
        position: Element = (
            [str(element.position), str(element.component)] if element.component else str(element.position)
        )
        reference = element.data_element if element.data_element.isdigit() and len(element.data_element) <= 4 else ""
        segments.append(["AK4", position, reference, element.code, _bad_value_copy(element.bad_value, delimiters)])
    return segments


def _segment_id(tag: str) -> str:
    """AK301 must be 2-3 letters or digits; an unrecognized tag is cut to fit."""
    return re.sub(r"[^A-Z0-9]", "", tag.upper())[:3].ljust(2, "X")


def _bad_value_copy(value: str, delimiters: Delimiters) -> str:
    """AK404, or "" when the value cannot be copied as a valid AN in these delimiters."""
    value = value.strip()[:AK404_MAX_LENGTH].rstrip()
    if not value or not _AN_CHARACTERS.fullmatch(value):
        return ""
    if any(char in value for char in delimiters.in_use().values()):
        return ""
    return value
