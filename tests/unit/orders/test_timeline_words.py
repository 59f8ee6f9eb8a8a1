"""The PO timeline and the 855 outcomes in words, as a table: each stored event (action and
detail, as its writer records it) and the sentence people read."""
import pytest

from gateway.orders.timeline_words import SENTENCES, Event, describe, outcome_words, reason_words

ACCEPTED = {"code": "accepted", "quantity": 20, "reason": None, "ship_date": "2026-11-22",
            "delivery_date": "2026-11-24"}
REJECTED = {"code": "rejected", "quantity": 4, "reason": "TemporarilyUnavailable", "ship_date": None,
            "delivery_date": None}
UNKNOWN_ITEM = {"code": "rejected", "quantity": 1, "reason": "InvalidProductIdentifier", "ship_date": None,
                "delivery_date": None}
THREE_LINES = {"1": [dict(ACCEPTED, quantity=24)], "2": [ACCEPTED, REJECTED], "3": [UNKNOWN_ITEM]}


@pytest.mark.parametrize(("event", "text"), [
    (Event("purchase_order.received", {"message_id": 3, "lines": 3, "held_lines": ["3"]}),
     "PO received from Amazon (850, 3 lines); held (cannot go to the IMS): line 3"),
    (Event("purchase_order.received", {"message_id": 3, "lines": 1, "held_lines": []}),
     "PO received from Amazon (850, 1 line)"),
    (Event("purchase_order.855_sent", {"message_id": 9, "at_deadline": False, "lines": THREE_LINES}),
     "855 written (3 lines: 1 accepted, 1 partially accepted, 1 rejected)"),
    (Event("purchase_order.855_sent", {"at_deadline": False, "lines": {"1": [ACCEPTED], "2": [UNKNOWN_ITEM],
                                                                       "3": [ACCEPTED]}}),
     "855 written (3 lines: 2 accepted, 1 rejected)"),
    (Event("purchase_order.855_resent", {"at_deadline": True, "lines": {"1": [REJECTED]}}),
     "855 written again at the deadline margin, with what was known (1 line: 1 rejected)"),
    (Event("purchase_order.ims_rejected", {"operation": "create", "error": "HTTP 422: unknown SKU", "status": 422}),
     "IMS refused to create the sales order: HTTP 422: unknown SKU"),
    (Event("purchase_order.change_applied", {"changes": [{"line_number": "1", "cancelled": True}],
                                             "not_applied": [{"line_number": "9"}]}),
     "860 change applied (1 change; 1 not applied: see its exception)"),
    (Event("purchase_order.change_unchanged", {"not_applied": []}), "860 change received: nothing changed"),
    (Event("purchase_order.allocation_received", {"source": "callback", "status": "partially_allocated"}),
     "IMS allocation: partially allocated (from the callback)"),
    (Event("purchase_order.997_queued", {"set_id": "850", "status": "A", "message_id": 4}),
     "997 queued to Amazon for its 850: accepted"),
    (Event("purchase_order.replayed", {"previous_status": "held", "task": "workers.tasks.create_sales_order"}),
     "PO replayed (was held): create sales order queued again"),
    (Event("purchase_order.856_sent", {"shipment_id": "SHIP-0042", "message_id": 12, "cartons": 3}),
     "856 ship notice written for shipment SHIP-0042 (3 cartons)"),
    (Event("purchase_order.856_resent", {"shipment_id": "SHIP-0042", "message_id": 13, "cartons": 1}),
     "Replacement 856 ship notice written for shipment SHIP-0042 (1 carton)"),
    (Event("shipment.accepted", {"revision": 1, "message_id": 12, "po_numbers": ["2XK7QP9M"], "cartons": 3,
                                 "pallets": 1}),
     "Shipment received from the IMS: 3 cartons, 1 pallet; 856 written"),
    (Event("shipment.replaced", {"revision": 2, "message_id": 13, "po_numbers": ["2XK7QP9M"], "cartons": 1,
                                 "pallets": 0}),
     "Replacement received from the IMS (revision 2): 1 carton, 0 pallets; replacement 856 written"),
    (Event("purchase_order.810_sent", {"invoice_number": "INV-1", "total": "370.00", "currency": "USD",
                                       "message_id": 14}),
     "810 invoice INV-1 written (total 370.00 USD)"),
    (Event("purchase_order.810_sent", {"invoice_number": "INV-1"}), "810 invoice INV-1 written"),
    (Event("invoice.ims", {"po_number": "2XK7QP9M", "total": "370.00", "message_id": 14}),
     "Invoice received from the IMS (PO 2XK7QP9M, total 370.00); 810 written"),
    (Event("invoice.automatic", {"po_number": "2XK7QP9M", "total": "300.00", "message_id": 15}),
     "Invoice made by the gateway from the delivered 856 (PO 2XK7QP9M, total 300.00); 810 written"),
    (Event("invoice.ims", {}), "Invoice received from the IMS; 810 written"),
    (Event("as2.queued", {"partner": "AMAZON", "document_type": "855"}, "855"), "855 queued for AMAZON"),
    (Event("as2.attempt_failed", {"attempt": 2, "error": "HTTP 503"}, "855"),
     "855 delivery attempt 2 failed: HTTP 503"),
    (Event("as2.delivered", {"error": None}, "855", mdn_status="processed"), "855 delivered (MDN processed)"),
    (Event("as2.delivered", {"error": None}, "855"), "855 delivered (no MDN requested)"),
    (Event("as2.failed", {"error": "gave up after 7 attempts: HTTP 503"}, "855"),
     "855 delivery failed: gave up after 7 attempts: HTTP 503"),
    (Event("as2.mdn-failed", {"error": "processed/error: decryption-failed"}, "855"),
     "855 not taken: the partner's MDN reports an error: processed/error: decryption-failed"),
    (Event("message.replayed", {"previous_status": "failed", "task": "workers.tasks.send_as2_message"}, "855"),
     "855 replayed (was failed): send as2 message queued again"),
    (Event("tracker.997_received", {"status": "R", "partner": "AMAZON"}, "855"),
     "997 from AMAZON for the 855: rejected"),
])
def test_each_event_in_words(event, text):
    assert describe(event) == text


@pytest.mark.parametrize(("event", "text"), [
    (Event("purchase_order.allocation_dropped", {}), "Allocation dropped"),
    (Event("as2.mdn_overdue", {}, "855"), "855: mdn overdue"),
])
def test_an_action_without_a_sentence_reads_as_words_from_its_key(event, text):
    assert describe(event) == text


def test_every_sentence_survives_an_event_without_detail():
    """An old row, or one written before a writer added a field, still renders."""
    for action in SENTENCES:
        assert describe(Event(action, {}, "855")), action


@pytest.mark.parametrize(("outcome", "text"), [
    (ACCEPTED, "accepted 20 EA, ship 2026-11-22, deliver 2026-11-24"),
    (dict(ACCEPTED, code="backordered", quantity="2.50"), "backordered 2.5 EA, ship 2026-11-22, deliver 2026-11-24"),
    (REJECTED, "rejected 4 EA: temporarily unavailable: not allocated, and no back order possible inside the ship "
               "window"),
    (UNKNOWN_ITEM, "rejected 1 EA: item not in catalogue / unknown identifier"),
    (dict(UNKNOWN_ITEM, reason="ObsoleteProduct"),
     "rejected 1 EA: obsolete: the catalogue marks the item discontinued"),
])
def test_an_outcome_in_words(outcome, text):
    assert outcome_words(outcome, "EA") == text


def test_a_reason_not_known_here_is_shown_as_given():
    assert reason_words("SomethingNew") == "SomethingNew"
