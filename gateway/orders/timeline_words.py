"""A PO's timeline, a shipment's and an invoice's history and the 855 outcomes in words, for
people (the PO, shipment and invoice pages, the API's ``text``).

Pure: an event is its action key, its stored ``detail`` and, for an event of a document
sent about the PO, that document's type. :data:`SENTENCES` is the one table from action
to sentence; an action not in it (a new writer, an old row) still reads as words made
from its key, so the timeline never shows a bare key and never fails to render.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from edi_maps.documents import LineOutcome, RejectionReason
from gateway.orders.status import LineAcknowledgement, acknowledged_as

# Why a line (or part of it) was rejected, as ops explain it to Amazon or to the brand.
REASON_WORDS = {
    RejectionReason.INVALID_PRODUCT_IDENTIFIER: "item not in catalogue / unknown identifier",
    RejectionReason.OBSOLETE_PRODUCT: "obsolete: the catalogue marks the item discontinued",
    RejectionReason.TEMPORARILY_UNAVAILABLE: "temporarily unavailable: not allocated, and no back order "
                                             "possible inside the ship window",
}
# The 997's AK5/AK9 codes.
FUNCTIONAL_ACK_WORDS = {"A": "accepted", "E": "accepted with errors", "P": "partially accepted", "R": "rejected"}


@dataclass(frozen=True)
class Event:
    """One timeline row as stored: ``document`` is "855" (say) for the events of a message
    or X12 group sent about the PO, None for the PO's own; ``mdn_status`` is that message's."""

    action: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    document: str | None = None
    mdn_status: str | None = None


def describe(event: Event) -> str:
    """The event in one sentence."""
    sentence = SENTENCES.get(event.action)
    return sentence(event) if sentence is not None else _from_key(event)


def reason_words(reason: str | None) -> str:
    """``InvalidProductIdentifier`` -> "item not in catalogue / unknown identifier"."""
    if reason is None:
        return "no reason given"
    try:
        return REASON_WORDS[RejectionReason(reason)]
    except ValueError:
        return reason


def outcome_words(outcome: Mapping[str, Any], unit: str) -> str:
    """One outcome of a line as the 855 stated it: "accepted 20 EA, ship 2026-11-22, deliver
    2026-11-24", "rejected 4 EA: temporarily unavailable: ..."."""
    said = f"{outcome['code']} {_quantity(outcome['quantity'])} {unit}"
    if outcome["code"] == LineOutcome.REJECTED.value:
        return f"{said}: {reason_words(outcome.get('reason'))}"
    dates = [f"{word} {outcome[key]}" for word, key in (("ship", "ship_date"), ("deliver", "delivery_date"))
             if outcome.get(key)]
    return ", ".join([said, *dates])


def lines_told(lines: Mapping[str, list[Mapping[str, Any]] | None]) -> str:
    """What an 855 said, counted per line: "3 lines: 2 accepted, 1 rejected"."""
    words = [acknowledged_as(outcome["code"] for outcome in outcomes or []) for outcomes in lines.values()]
    counted = Counter(word for word in words if word is not None)
    parts = [f"{counted[word]} {word.replace('_', ' ')}" for word in LineAcknowledgement if counted[word]]
    total = f"{len(lines)} line{'' if len(lines) == 1 else 's'}"
    return f"{total}: {', '.join(parts)}" if parts else total


def _855_written(again: bool) -> Callable[[Event], str]:
    """``purchase_order.855_sent``: the engine wrote the 855 and queued it. "Written", not
    "sent": Amazon has it only once the delivery events below say delivered."""

    def sentence(event: Event) -> str:
        margin = " at the deadline margin, with what was known" if event.detail.get("at_deadline") else ""
        lines = event.detail.get("lines")
        return f"855 written{' again' if again else ''}{margin}" + (f" ({lines_told(lines)})" if lines else "")

    return sentence


def _856_written(again: bool) -> Callable[[Event], str]:
    """``purchase_order.856_sent``: a shipment carrying the PO was stored and its 856 written
    and queued. "Written", like the 855: its delivery is the shipment's, on the shipment page."""

    def sentence(event: Event) -> str:
        shipment, cartons = event.detail.get("shipment_id"), event.detail.get("cartons")
        head = f"{'Replacement 856' if again else '856'} ship notice written"
        return head + (f" for shipment {shipment}" if shipment else "") + (f" ({_count(cartons, 'carton')})"
                                                                           if cartons is not None else "")

    return sentence


def _shipment(replaced: bool) -> Callable[[Event], str]:
    """``shipment.accepted`` / ``shipment.replaced``: the IMS's pack stored, its 856 written."""

    def sentence(event: Event) -> str:
        revision, cartons, pallets = (event.detail.get(key) for key in ("revision", "cartons", "pallets"))
        packed = ", ".join(_count(number, word) for number, word in ((cartons, "carton"), (pallets, "pallet"))
                           if number is not None)
        head = (f"Replacement received from the IMS{f' (revision {revision})' if revision else ''}"
                if replaced else "Shipment received from the IMS")
        return f"{head}{f': {packed}' if packed else ''}; {'replacement ' if replaced else ''}856 written"

    return sentence


def _810_written(event: Event) -> str:
    """``purchase_order.810_sent``: an invoice of the PO was stored and its 810 written and
    queued. "Written", like the 855 and 856: its delivery is the invoice's, on the invoice page."""
    invoice, total, currency = (event.detail.get(key) for key in ("invoice_number", "total", "currency"))
    return "810 invoice" + (f" {invoice}" if invoice else "") + " written" + (
        f" (total {total}{f' {currency}' if currency else ''})" if total is not None else "")


def _invoice(automatic: bool) -> Callable[[Event], str]:
    """``invoice.ims`` / ``invoice.automatic``: the invoice stored (posted by the IMS, or made by
    the gateway from a delivered 856), its 810 written."""

    def sentence(event: Event) -> str:
        po_number, total = event.detail.get("po_number"), event.detail.get("total")
        head = "Invoice made by the gateway from the delivered 856" if automatic else "Invoice received from the IMS"
        facts = ", ".join(part for part in (f"PO {po_number}" if po_number else "",
                                            f"total {total}" if total is not None else "") if part)
        return f"{head}{f' ({facts})' if facts else ''}; 810 written"

    return sentence


def _count(number: object, word: str) -> str:
    """``2, "carton"`` -> "2 cartons"."""
    return f"{number} {word}{'' if number == 1 else 's'}"


def _received(event: Event) -> str:
    lines, held = event.detail.get("lines"), event.detail.get("held_lines") or []
    counted = f"{lines} line{'' if lines == 1 else 's'}" if lines is not None else "its lines"
    held_words = f"; held (cannot go to the IMS): line {', '.join(held)}" if held else ""
    return f"PO received from Amazon (850, {counted}){held_words}"


def _ims_failed(refused: bool) -> Callable[[Event], str]:
    def sentence(event: Event) -> str:
        operation = event.detail.get("operation") or "take"
        head = (f"IMS refused to {operation} the sales order" if refused
                else f"IMS not reachable to {operation} the sales order (retrying)")
        return _colon(head, event.detail.get("error"))

    return sentence


def _change(applied: bool) -> Callable[[Event], str]:
    def sentence(event: Event) -> str:
        changes = len(event.detail.get("changes") or [])
        refused = len(event.detail.get("not_applied") or [])
        parts = [f"{changes} change{'' if changes == 1 else 's'}"] if applied and changes else []
        if refused:
            parts.append(f"{refused} not applied: see its exception")
        head = "860 change applied" if applied else "860 change received: nothing changed"
        return f"{head} ({'; '.join(parts)})" if parts else head

    return sentence


def _allocation(event: Event) -> str:
    status = str(event.detail.get("status") or "").replace("_", " ")
    source = event.detail.get("source")
    return _colon("IMS allocation", status) + (f" (from the {source})" if source else "")


def _allocation_ignored(event: Event) -> str:
    revision, stored = event.detail.get("revision"), event.detail.get("stored_revision")
    newer = f" (revision {revision}, {stored} stored)" if revision is not None else ""
    return f"IMS allocation ignored: not newer than the one stored{newer}"


def _refused_interchange(event: Event) -> str:
    interchange, note = event.detail.get("interchange"), event.detail.get("ta1_note_code")
    return (f"Interchange{f' {interchange}' if interchange else ''} carrying this PO refused with a TA1"
            f"{f' (note {note})' if note else ''}: nothing in it was taken in")


def _our_997(event: Event) -> str:
    answered = f" for its {event.detail['set_id']}" if event.detail.get("set_id") else ""
    return _colon(f"997 queued to Amazon{answered}", _functional_ack_status(event))


def _replayed(event: Event) -> str:
    task = str(event.detail.get("task") or "").rsplit(".", 1)[-1].replace("_", " ")
    previous = event.detail.get("previous_status")
    return (f"{event.document or 'PO'} replayed{f' (was {previous})' if previous else ''}"
            f"{f': {task} queued again' if task else ''}")


def _document(event: Event) -> str:
    return event.document or "document"


def _built(event: Event) -> str:
    message_id = event.detail.get("message_id")
    return f"{_document(event)} signed and encrypted" + (f" (Message-ID {message_id})" if message_id else "")


def _attempt_failed(event: Event) -> str:
    attempt = event.detail.get("attempt")
    return _colon(f"{_document(event)} delivery attempt{f' {attempt}' if attempt else ''} failed",
                  event.detail.get("error"))


def _delivered(event: Event) -> str:
    receipt = f"MDN {event.mdn_status}" if event.mdn_status else "no MDN requested"
    return f"{_document(event)} delivered ({receipt})"


def _functional_ack(event: Event) -> str:
    partner = event.detail.get("partner") or "the partner"
    return _colon(f"997 from {partner} for the {_document(event)}", _functional_ack_status(event))


def _functional_ack_status(event: Event) -> str | None:
    status = event.detail.get("status")
    return None if status is None else FUNCTIONAL_ACK_WORDS.get(str(status), str(status))


def _colon(head: str, said: object) -> str:
    """``head: said``, or ``head`` alone when the event did not record ``said``."""
    return f"{head}: {said}" if said else head


SENTENCES: dict[str, Callable[[Event], str]] = {
    # the PO's own events (subject purchase_order)
    "purchase_order.received": _received,
    "purchase_order.duplicate_received": lambda e: "The same PO received again: a duplicate, ignored",
    "purchase_order.different_resend": lambda e: "PO received again with different content: see its exception",
    "purchase_order.held": lambda e: f"PO held: {e.detail.get('reason', 'see its exceptions')}",
    "purchase_order.sales_order_created": lambda e: "IMS sales order created",
    "purchase_order.sales_order_updated": lambda e: "IMS sales order updated with the 860 change",
    "purchase_order.sales_order_cancelled": lambda e: "IMS sales order cancelled (860)",
    "purchase_order.sales_order_unchanged": lambda e: "IMS sales order already as the 860 wants it",
    "purchase_order.ims_rejected": _ims_failed(refused=True),
    "purchase_order.ims_unavailable": _ims_failed(refused=False),
    "purchase_order.change_applied": _change(applied=True),
    "purchase_order.change_unchanged": _change(applied=False),
    "purchase_order.allocation_received": _allocation,
    "purchase_order.allocation_ignored": _allocation_ignored,
    "purchase_order.855_sent": _855_written(again=False),
    "purchase_order.855_resent": _855_written(again=True),
    "purchase_order.reack_too_late": lambda e: "855 not sent again: too late to re-acknowledge the PO",
    "purchase_order.interchange_refused": _refused_interchange,
    "purchase_order.997_queued": _our_997,
    "purchase_order.replayed": _replayed,
    "purchase_order.856_sent": _856_written(again=False),
    "purchase_order.856_resent": _856_written(again=True),
    "purchase_order.810_sent": _810_written,
    # a shipment's own events (subject shipment: the shipment page's history)
    "shipment.accepted": _shipment(replaced=False),
    "shipment.replaced": _shipment(replaced=True),
    # an invoice's own events (subject invoice: the invoice page's history)
    "invoice.ims": _invoice(automatic=False),
    "invoice.automatic": _invoice(automatic=True),
    # the events of a document sent about the PO (subject message, or its X12 group)
    "as2.queued": lambda e: f"{_document(e)} queued for {e.detail.get('partner') or 'the partner'}",
    "as2.built": _built,
    "as2.sent": lambda e: f"{_document(e)} sent, waiting for the asynchronous MDN",
    "as2.attempt_failed": _attempt_failed,
    "as2.delivered": _delivered,
    "as2.failed": lambda e: _colon(f"{_document(e)} delivery failed", e.detail.get("error")),
    "as2.mdn-failed": lambda e: _colon(f"{_document(e)} not taken: the partner's MDN reports an error",
                                       e.detail.get("error")),
    "as2.mdn_ignored": lambda e: _colon(f"An MDN for the {_document(e)} was ignored", e.detail.get("reason")),
    "message.replayed": _replayed,
    "tracker.997_received": _functional_ack,
}


def _from_key(event: Event) -> str:
    """``purchase_order.allocation_dropped`` -> "Allocation dropped" (and "855: ..." for a document's)."""
    words = event.action.rpartition(".")[2].replace("_", " ").replace("-", " ")
    return f"{event.document}: {words}" if event.document else words[:1].upper() + words[1:]


def _quantity(value: object) -> str:
    """24 -> "24", "2.50" -> "2.5"."""
    return format(Decimal(str(value)).normalize(), "f")
