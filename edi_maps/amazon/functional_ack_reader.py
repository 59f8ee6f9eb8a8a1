"""Inbound 997 -> ``FunctionalAck``: did Amazon accept the group and sets we sent, and
if not, why, in words an operator can act on.

An outbound 855/856/810/846 without an accepted 997 has not been received, so the
tracker needs the verdict per group (AK1 + AK9) and per set (AK2 + AK5), and the people
fixing a rejection need the AK3/AK4 details decoded from their X12 code lists.
"""
from __future__ import annotations

from collections.abc import Iterable

from edi_maps.amazon.elements import (
    TranslationError,
    code,
    required_text,
    transaction_set_header,
    whole_number,
)
from edi_maps.documents import (
    AckCode,
    AckStatus,
    ElementError,
    FunctionalAck,
    SegmentError,
    SetAck,
)
from edi_maps.x12.codes import (
    ELEMENT_SYNTAX_ERRORS,
    GROUP_SYNTAX_ERRORS,
    SEGMENT_SYNTAX_ERRORS,
    SET_SYNTAX_ERRORS,
)
from edi_maps.x12.segment import Segment

# AK501 / AK901, X12 elements 717 and 715.
STATUS_WORDS = {
    AckStatus.ACCEPTED: "accepted",
    AckStatus.ACCEPTED_WITH_ERRORS: "accepted with errors",
    AckStatus.PARTIALLY_ACCEPTED: "partially accepted (at least one set rejected)",
    AckStatus.REJECTED: "rejected",
    AckStatus.REJECTED_MAC_FAILED: "rejected (message authentication code failed)",
    AckStatus.REJECTED_ASSURANCE_FAILED: "rejected (assurance failed validity tests)",
    AckStatus.REJECTED_CONTENT_UNREADABLE: "rejected (content could not be analysed after decryption)",
}

# GS01 of the groups we send or receive, so a message can say what was rejected.
FUNCTIONAL_GROUPS = {
    "PO": "purchase orders",
    "PC": "purchase order changes",
    "PR": "purchase order acknowledgements",
    "SH": "ship notices",
    "IN": "invoices",
    "IB": "inventory advice",
    "RA": "remittance advice",
    "FA": "functional acknowledgements",
}


def functional_ack_from_segments(
    segments: Iterable[Segment], component_separator: str
) -> FunctionalAck:
    """Translate one 997 transaction set (ST..SE inclusive) into a ``FunctionalAck``.

    The component separator is needed because AK401 is a composite (element position,
    component position). Raises ``TranslationError`` when the 997's own structure is
    broken (no AK1 or AK9, an AK2 without AK5, an AK4 outside an AK3) or a status code is
    unknown; unknown error codes are kept and described as such, since the verdict is
    still readable.
    """
    iterator = iter(segments)
    header = transaction_set_header(iterator, "997")
    ak1 = ak9 = None
    sets: list[SetAck] = []
    ak2: Segment | None = None
    segment_notes: list[tuple[Segment, list[Segment]]] = []  # AK3 with its AK4s
    for segment in iterator:
        tag = segment.tag
        if tag == "AK1":
            ak1 = segment
        elif tag == "AK2":
            if ak2 is not None:
                raise TranslationError(f"AK2 for set {ak2[2]} has no AK5", segment)
            ak2, segment_notes = segment, []
        elif tag == "AK3":
            if ak2 is None:
                raise TranslationError("AK3 outside an AK2 loop", segment)
            segment_notes.append((segment, []))
        elif tag == "AK4":
            if not segment_notes:
                raise TranslationError("AK4 outside an AK3 loop", segment)
            segment_notes[-1][1].append(segment)
        elif tag == "AK5":
            if ak2 is None:
                raise TranslationError("AK5 without an AK2", segment)
            sets.append(_set_ack(ak2, segment_notes, segment, component_separator))
            ak2 = None
        elif tag == "AK9":
            ak9 = segment
    if ak2 is not None:
        raise TranslationError(f"AK2 for set {ak2[2]} has no AK5", ak2)
    if ak1 is None:
        raise TranslationError("997 has no AK1 segment", header)
    if ak9 is None:
        raise TranslationError("997 has no AK9 segment", header)
    return FunctionalAck(
        functional_id=required_text(ak1, 1, "functional identifier code"),
        group_control_number=whole_number(ak1, 2, "group control number"),
        status=code(ak9, 1, AckStatus, "functional group acknowledge code"),
        sets_included=whole_number(ak9, 2, "number of transaction sets included"),
        sets_received=whole_number(ak9, 3, "number of received transaction sets"),
        sets_accepted=whole_number(ak9, 4, "number of accepted transaction sets"),
        errors=_codes(ak9, range(5, 10), GROUP_SYNTAX_ERRORS),
        sets=tuple(sets),
    )


def describe_functional_ack(ack: FunctionalAck) -> list[str]:
    """The acknowledgement in sentences, one for the group and one per set, e.g.
    ``set 856 50021 rejected: one or more segments in error; segment MAN at position
    14 in loop HL: segment has data element errors; element MAN02 (data element 88):
    invalid code value 'XX'``. Meant for the tracker's exception text and the CLI."""
    kind = FUNCTIONAL_GROUPS.get(ack.functional_id, "unknown kind")
    group = (
        f"group {ack.functional_id} ({kind}) {ack.group_control_number} "
        f"{STATUS_WORDS[ack.status]} ({ack.sets_included} sets included, "
        f"{ack.sets_received} received, {ack.sets_accepted} accepted)"
    )
    sentences = [_with_reasons(group, [error.meaning for error in ack.errors])]
    for set_ack in ack.sets:
        reasons = [error.meaning for error in set_ack.errors]
        reasons.extend(_describe_segment_error(error) for error in set_ack.segment_errors)
        head = f"set {set_ack.set_id} {set_ack.control_number} {STATUS_WORDS[set_ack.status]}"
        sentences.append(_with_reasons(head, reasons))
    return sentences


def _with_reasons(head: str, reasons: list[str]) -> str:
    if not reasons:
        return head
    return f"{head}: " + "; ".join(reasons)


def _describe_segment_error(error: SegmentError) -> str:
    where = f"segment {error.segment_id} at position {error.position}"
    if error.loop_id:
        where += f" in loop {error.loop_id}"
    parts = [f"{where}: {error.error.meaning}" if error.error else where]
    for element in error.element_errors:
        name = f"{error.segment_id}{element.position:02d}"
        if element.component_position is not None:
            name += f"-{element.component_position:02d}"
        if element.data_element:
            name += f" (data element {element.data_element})"
        text = f"element {name}: {element.error.meaning}"
        if element.bad_value:
            text += f" {element.bad_value!r}"
        parts.append(text)
    return "; ".join(parts)


def _set_ack(
    ak2: Segment,
    segment_notes: list[tuple[Segment, list[Segment]]],
    ak5: Segment,
    component_separator: str,
) -> SetAck:
    return SetAck(
        set_id=required_text(ak2, 1, "transaction set identifier"),
        control_number=required_text(ak2, 2, "transaction set control number"),
        status=code(ak5, 1, AckStatus, "transaction set acknowledgment code"),
        errors=_codes(ak5, range(2, 7), SET_SYNTAX_ERRORS),
        segment_errors=tuple(
            _segment_error(ak3, ak4s, component_separator) for ak3, ak4s in segment_notes
        ),
    )


def _segment_error(ak3: Segment, ak4s: list[Segment], component_separator: str) -> SegmentError:
    return SegmentError(
        segment_id=required_text(ak3, 1, "segment ID"),
        position=whole_number(ak3, 2, "segment position"),
        loop_id=ak3[3],
        error=_code(ak3[4], SEGMENT_SYNTAX_ERRORS) if ak3[4] else None,
        element_errors=tuple(_element_error(ak4, component_separator) for ak4 in ak4s),
    )


def _element_error(ak4: Segment, component_separator: str) -> ElementError:
    position, _, component = required_text(ak4, 1, "position in segment").partition(
        component_separator
    )
    if not (position.isascii() and position.isdigit()) or not (
        component == "" or (component.isascii() and component.isdigit())
    ):
        raise TranslationError(f"AK401 position in segment {ak4[1]!r} is not a number", ak4)
    return ElementError(
        position=int(position),
        component_position=int(component) if component else None,
        data_element=ak4[2],
        error=_code(required_text(ak4, 3, "data element syntax error code"), ELEMENT_SYNTAX_ERRORS),
        bad_value=ak4[4],
    )


def _codes(segment: Segment, indexes: range, meanings: dict[str, str]) -> tuple[AckCode, ...]:
    return tuple(_code(segment[index], meanings) for index in indexes if segment[index])


def _code(value: str, meanings: dict[str, str]) -> AckCode:
    return AckCode(value, meanings.get(value, f"unknown error code {value!r}"))
