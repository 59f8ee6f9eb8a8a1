"""The AS2 endpoint over real HTTP, with a fake Amazon speaking real AS2 (pyas2lib)."""
import pytest
import httpx
from sqlalchemy import select

from gateway.transport.as2.protocol import MdnMode, MdnStatus
from gateway.platform.db import session_scope
from gateway.operations.exception_queue import open_exceptions
from gateway.models import AuditEvent, Message
from gateway.platform.storage import read_body, read_payload
from tests.fixtures import AMAZON_FIXTURES
from tests.support.processes import wait_for

ORDER = (AMAZON_FIXTURES / "850-single-po.edi").read_bytes()


def inbound_messages(settings):
    with session_scope(settings) as session:
        return session.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()


def test_a_signed_encrypted_850_is_stored_and_answered_with_a_signed_mdn(stack):
    built, response = stack.amazon.send(stack.url, ORDER)
    assert response.status_code == 200
    mdn = stack.amazon.verify_mdn(built, list(response.headers.multi_items()), response.content)
    assert mdn.status is MdnStatus.PROCESSED, mdn
    assert mdn.signed

    [message] = inbound_messages(stack.settings)
    assert message.status == "accepted"
    assert message.transport_id == built.message_id
    assert read_body(stack.settings, message) == built.body
    # pyas2lib, playing Amazon, sends application/edi-x12 as 8bit MIME, which turns LF into CRLF.
    assert read_payload(stack.settings, message) == ORDER.replace(b"\n", b"\r\n")
    assert message.filename == "order.edi", "as the sender named it"
    assert message.mdn_disposition.endswith("processed")
    assert message.mdn_status == "sent"
    with session_scope(stack.settings) as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == str(message.id))).all()
    assert actions == ["as2.received", "as2.accepted"]


def test_a_file_name_longer_than_the_column_is_kept_shortened_not_refused(stack):
    name = "PO-" + "9" * 300 + ".edi"
    built, response = stack.amazon.send(stack.url, ORDER, filename=name)
    mdn = stack.amazon.verify_mdn(built, list(response.headers.multi_items()), response.content)
    assert mdn.status is MdnStatus.PROCESSED, mdn
    [message] = inbound_messages(stack.settings)
    assert (message.status, message.filename) == ("accepted", name[:255])


def test_the_same_message_id_again_is_a_duplicate_and_not_processed_twice(stack):
    built, _ = stack.amazon.send(stack.url, ORDER)
    again, response = stack.amazon.send(stack.url, ORDER, message_id=built.message_id)
    assert again.message_id == built.message_id
    mdn = stack.amazon.verify_mdn(again, list(response.headers.multi_items()), response.content)
    assert mdn.status is MdnStatus.PROCESSED_WITH_WARNING
    assert "duplicate-document" in mdn.disposition
    first, second = inbound_messages(stack.settings)
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert second.payload is None
    assert read_body(stack.settings, second) == again.body, "the duplicate's bytes are kept all the same"


def test_an_unknown_partner_gets_a_negative_mdn_and_its_bytes_are_kept(stack):
    from tests.support.amazon import AmazonSimulator

    stranger = AmazonSimulator(gateway_certificate=stack.amazon.gateway_certificate)
    stranger_profile = stranger.own_profile
    stranger.own_profile = lambda mdn_url=None: type(stranger_profile())("STRANGER", (stranger.key,), mdn_url=mdn_url)
    built, response = stranger.send(stack.url, ORDER)
    assert response.status_code == 200
    assert b"unknown-trading-partner" in response.content or b"authentication-failed" in response.content
    [message] = inbound_messages(stack.settings)
    assert message.status == "rejected"
    assert message.partner_id is None
    assert read_body(stack.settings, message) == built.body
    with session_scope(stack.settings) as session:
        [problem] = open_exceptions(session)
    assert problem.kind == "inbound_rejected" and "STRANGER" in problem.message


def test_a_body_over_the_cap_is_refused_before_it_is_read(stack, monkeypatch):
    from gateway.transport.as2 import receiver as as2_inbound

    monkeypatch.setattr(as2_inbound, "LIMITS", as2_inbound.ReceiveLimits(max_body_bytes=1000))
    monkeypatch.setattr("gateway.web.as2.LIMITS", as2_inbound.LIMITS)
    response = httpx.post(f"{stack.url}/as2", content=b"x" * 5000, headers={"AS2-From": "AMAZON"})
    assert response.status_code == 413
    assert inbound_messages(stack.settings) == []


@pytest.mark.slow
def test_an_async_mdn_is_posted_by_the_worker_to_the_url_the_sender_named(stack):
    stack.start_worker()
    built, response = stack.amazon.send(stack.url, ORDER, mdn_mode=MdnMode.ASYNC, mdn_url=f"{stack.amazon_url}/mdn")
    assert response.status_code == 200
    headers, body = wait_for(lambda: stack.amazon.mdns and stack.amazon.mdns[0], 60, "the async MDN")
    mdn = stack.amazon.verify_mdn(built, headers, body)
    assert mdn.status is MdnStatus.PROCESSED, mdn
    [message] = inbound_messages(stack.settings)
    assert message.mdn_status == "sent"


def test_during_a_certificate_rollover_messages_to_either_certificate_are_accepted(stack):
    from gateway.partners.keystore import create_organisation_certificate
    from gateway.partners.registry import the_organisation

    old_certificate = stack.amazon.gateway_certificate
    with session_scope(stack.settings) as session:
        new = create_organisation_certificate(session, stack.settings, the_organisation(session))
        new_certificate = new.certificate_pem.encode()
    for certificate, other in ((old_certificate, new_certificate), (new_certificate, old_certificate)):
        stack.amazon.gateway_certificate, stack.amazon.other_gateway_certificates = certificate, (other,)
        built, response = stack.amazon.send(stack.url, ORDER)
        mdn = stack.amazon.verify_mdn(built, list(response.headers.multi_items()), response.content)
        assert mdn.status is MdnStatus.PROCESSED, mdn
    assert [m.status for m in inbound_messages(stack.settings)] == ["accepted", "accepted"]


def test_partner_and_certificate_changes_count_from_the_next_message_while_the_gateway_runs(stack):
    """The receive path keeps built profiles per process; changes made elsewhere (here:
    this test process, as the CLI would) must still apply to the very next message."""
    from gateway.partners.certificates import generate_organization_key
    from gateway.partners.keystore import create_organisation_certificate, import_partner_certificate
    from gateway.models import TradingPartner
    from gateway.partners.registry import get_partner, the_organisation

    def send_and_read_disposition() -> str:
        built, response = stack.amazon.send(stack.url, ORDER)
        return stack.amazon.verify_mdn(built, list(response.headers.multi_items()), response.content).disposition

    assert send_and_read_disposition().endswith("processed")

    stack.amazon.key = generate_organization_key("AMAZON", b"amazon's next key")
    assert send_and_read_disposition().endswith("authentication-failed")
    with session_scope(stack.settings) as session:
        import_partner_certificate(session, get_partner(session, "AMAZON"), stack.amazon.key.certificate_pem)
    assert send_and_read_disposition().endswith("processed")

    with session_scope(stack.settings) as session:
        get_partner(session, "AMAZON").active = False
    assert send_and_read_disposition().endswith("unknown-trading-partner")
    with session_scope(stack.settings) as session:
        session.scalars(select(TradingPartner)).one().active = True
        new = create_organisation_certificate(session, stack.settings, the_organisation(session))
    stack.amazon.gateway_certificate = new.certificate_pem.encode()  # encrypts to our new key only
    assert send_and_read_disposition().endswith("processed")
