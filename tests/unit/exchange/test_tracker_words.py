"""What the tracker says a set of ours was about, and which PO it belongs to, per set:
the 855's reference is its PO, the 856's a shipment, the 810's an invoice number."""
from gateway.exchange.tracker import about, po_number_of
from gateway.models import Message, X12Group, X12Set


def group_with(po_number):
    return X12Group(message=Message(po_number=po_number))


def test_each_set_is_named_by_its_business_key():
    assert about(X12Set(set_id="855", reference="2XK7QP9M")) == " for PO 2XK7QP9M"
    assert about(X12Set(set_id="856", reference="SHP-1")) == " for shipment SHP-1"
    assert about(X12Set(set_id="810", reference="INV-2611300001")) == " for invoice INV-2611300001"
    assert about(X12Set(set_id="810", reference=None)) == ""


def test_an_invoice_belongs_to_its_messages_po_never_to_its_invoice_number():
    assert po_number_of(group_with("2XK7QP9M"), X12Set(set_id="810", reference="INV-1")) == "2XK7QP9M"
    assert po_number_of(group_with(None), X12Set(set_id="810", reference="INV-1")) is None
    assert po_number_of(group_with(None), X12Set(set_id="856", reference="SHP-1")) is None
    assert po_number_of(group_with(None), X12Set(set_id="855", reference="2XK7QP9M")) == "2XK7QP9M"
