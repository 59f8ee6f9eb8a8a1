"""Outbound X12: one functional group wrapped in an interchange, in the partner's terms.

Control numbers come from the database sequences (never reused towards a partner), the
delimiters and the usage indicator from the partner's profile; the translation modules
in ``edi_maps`` supply only the transaction-set bodies.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from edi_maps.functional_ack import build_ack_groups, build_ta1, reply_envelope
from edi_maps.validation import InterchangeResult
from edi_maps.x12.delimiters import NO_REPETITION
from edi_maps.x12.writer import (
    Delimiters,
    Envelope,
    FunctionalGroup,
    TransactionSet,
    write_interchange,
    write_ta1_interchange,
)
from gateway.exchange.control_numbers import next_control_number
from gateway.models import Organisation, TradingPartner
from gateway.partners.registry import profile_of

X12_VERSIONS = {"004010": "00401", "005010": "00501"}


@dataclass(frozen=True)
class SetBody:
    code: str  # ST01, e.g. "855"
    segments: Sequence[Sequence[str | Sequence[str]]]


@dataclass(frozen=True)
class OutboundInterchange:
    text: str
    interchange_control_number: int
    group_control_number: int
    set_control_numbers: tuple[str, ...]
    functional_id: str


def partner_delimiters(partner: TradingPartner, version: str = "004010") -> Delimiters:
    """The delimiters the partner's profile asks for (section ``x12``; the guides' ``* > ~`` by default)
    in an interchange of ``version``: ISA11 is the profile's repetition separator (``^`` by
    default) from 00402 on, and the standards identifier 'U' before."""
    x12 = profile_of(partner).x12
    repetition = x12.repetition_separator if X12_VERSIONS[version] >= "00402" else NO_REPETITION
    return Delimiters(element=x12.element_separator, component=x12.component_separator,
                      segment=x12.segment_terminator, repetition=repetition, suffix=x12.segment_suffix)


def partner_envelope(organisation: Organisation, partner: TradingPartner, version: str = "004010") -> Envelope:
    """The ISA addressing of an interchange from us to ``partner``."""
    return Envelope(
        sender_qualifier=organisation.x12_qualifier,
        sender_id=organisation.x12_id,
        receiver_qualifier=partner.x12_qualifier,
        receiver_id=partner.x12_id,
        version=X12_VERSIONS[version],
        usage_indicator=profile_of(partner).x12.usage_indicator,
    )


def build_interchange(
    session: Session,
    organisation: Organisation,
    partner: TradingPartner,
    functional_id: str,
    sets: Sequence[SetBody],
    *,
    version: str = "004010",
    when: datetime | None = None,
) -> OutboundInterchange:
    """Allocate control numbers and write one group of ``sets`` from us to ``partner``."""
    key = partner.as2_id
    isa = next_control_number(session, key, "isa")
    gs = next_control_number(session, key, "gs")
    transaction_sets = [
        TransactionSet(code=body.code, control_number=str(next_control_number(session, key, "st")).zfill(4),
                       segments=body.segments)
        for body in sets
    ]
    envelope = partner_envelope(organisation, partner, version)
    group = FunctionalGroup(
        functional_id=functional_id,
        application_sender=organisation.x12_id,
        application_receiver=partner.x12_id,
        control_number=gs,
        version=version,
        transaction_sets=transaction_sets,
    )
    text = write_interchange(envelope, isa, [group], delimiters=partner_delimiters(partner, version),
                             when=when or datetime.now(timezone.utc))
    return OutboundInterchange(text, isa, gs, tuple(s.control_number for s in transaction_sets), functional_id)


def build_functional_acks(
    session: Session, partner_key: str, interchange: InterchangeResult, delimiters: Delimiters,
    *, when: datetime | None = None,
) -> OutboundInterchange | None:
    """The 997s answering the groups of an inbound interchange, in one interchange of ours;
    None when no group needs one (997s are never acknowledged).

    ``partner_key`` names the control-number sequences (the partner's AS2 id).
    """
    isa_numbers: list[int] = []
    group_numbers: list[int] = []

    def allocate():
        """Drawn only when a group needs a 997 (none is wasted), and the ISA before the
        first GS, as every allocation takes them (see gateway.exchange.control_numbers)."""
        isa_numbers.append(next_control_number(session, partner_key, "isa"))
        while True:
            group_numbers.append(next_control_number(session, partner_key, "gs"))
            yield group_numbers[-1]

    groups = build_ack_groups(interchange, allocate(), delimiters=delimiters)
    if not groups:
        return None
    isa = isa_numbers[0]
    text = write_interchange(reply_envelope(interchange), isa, groups, delimiters=delimiters,
                             when=when or datetime.now(timezone.utc))
    set_numbers = tuple(tset.control_number for group in groups for tset in group.transaction_sets)
    return OutboundInterchange(text, isa, group_numbers[0], set_numbers, "FA")


def build_ta1_interchange(
    session: Session, partner_key: str, interchange: InterchangeResult, delimiters: Delimiters,
    *, fallback: Envelope | None = None, when: datetime | None = None,
) -> str | None:
    """The TA1 rejecting an interchange whose envelope is bad, or None when it is sound.

    ``fallback`` addresses the TA1 where the refused ISA cannot (see
    ``edi_maps.functional_ack.reply_envelope``); ``when`` (now by default) dates our ISA and
    stands in for an ISA09/ISA10 that is not a valid date or time. Raises ``X12WriteError``
    naming the field when no valid TA1 can be written (ISA13 or the sender's id unreadable).
    """
    when = when or datetime.now(timezone.utc)
    ta1 = build_ta1(interchange, when=when)
    if ta1 is None:
        return None
    isa = next_control_number(session, partner_key, "isa")
    return write_ta1_interchange(reply_envelope(interchange, fallback), isa, ta1.elements, delimiters=delimiters,
                                 when=when)
