"""A fake Amazon that speaks real AS2 over HTTP, played by pyas2lib through gateway.transport.as2.

Amazon is outside the product, so it is the one thing faked, and the fake keeps to the
protocol: it signs and encrypts what it sends, verifies our MDNs, and receives our
messages with their MIC checked, answering with a signed MDN (sync or async).
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from flask import Flask, Response, request

from gateway.transport.as2.protocol import (
    InboundStatus,
    MdnMode,
    OrganizationProfile,
    PartnerProfile,
    check_mdn,
    receive,
)
from gateway.partners.certificates import OrganizationKey, generate_organization_key
from gateway.partners.keystore import import_partner_certificate, organisation_keys
from gateway.partners.registry import add_partner, the_organisation
from gateway.platform.db import session_scope
from tests.support import pyas2lib_as2
from tests.support.servers import serve_in_thread

AMAZON_ID = "AMAZON"


@dataclass
class AmazonSimulator:
    gateway_certificate: bytes
    gateway_as2_id: str = "ACMEBRANDS"
    # Our other certificates Amazon knows, e.g. both during a rollover (signatures by either verify).
    other_gateway_certificates: tuple = ()
    key: OrganizationKey = field(default_factory=lambda: generate_organization_key(AMAZON_ID, b"amazon test key"))
    mdn_mode: MdnMode = MdnMode.SYNC
    # The next N POSTs to Amazon's /as2 answer 503, as a partner outage would.
    fail_next: int = 0
    # The next N POSTs are refused with 403, as a partner that will not take the message.
    refuse_next: int = 0
    # The next N messages are received but get no MDN (HTTP 200, empty body; no async MDN).
    mdn_missing_next: int = 0
    # SHA-256 of each body POSTed to /as2 that was not answered 503: a retry sends the same bytes.
    received_bodies: list = field(default_factory=list)
    received: list = field(default_factory=list)
    received_message_ids: list = field(default_factory=list)
    mdns: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def certificate(self) -> bytes:
        return self.key.certificate_pem

    def own_profile(self, mdn_url: str | None = None) -> OrganizationProfile:
        return OrganizationProfile(AMAZON_ID, (self.key,), mdn_url=mdn_url)

    def gateway_profile(self, mdn_mode: MdnMode | None = None) -> PartnerProfile:
        # Amazon sends EDI as binary: the bytes signed are the bytes sent, bare LFs and all.
        certificates = (self.gateway_certificate, *self.other_gateway_certificates)
        return PartnerProfile(self.gateway_as2_id, certificates, mdn_mode=mdn_mode or self.mdn_mode,
                              canonicalize_as_binary=True)

    def send(self, gateway_url: str, payload: bytes, *, message_id: str | None = None,
             mdn_mode: MdnMode = MdnMode.SYNC, mdn_url: str | None = None, filename: str = "order.edi"):
        """POST an AS2 message to the gateway; returns (built message, HTTP response)."""
        # pyas2lib writes Amazon's messages: an implementation other than the gateway's own.
        built = pyas2lib_as2.build_message(self.own_profile(mdn_url), self.gateway_profile(mdn_mode), payload,
                                           filename, message_id=message_id)
        response = httpx.post(f"{gateway_url}/as2", content=built.body, headers=built.headers, timeout=30)
        return built, response

    def verify_mdn(self, built, headers, body: bytes):
        return check_mdn(self.own_profile(), self.gateway_profile(), headers, body, built.message_id, built.mic)

    def app(self) -> Flask:
        """Amazon's AS2 endpoint (``/as2``) and its async MDN receiver (``/mdn``)."""
        app = Flask("amazon")

        @app.post("/as2")
        def as2():
            with self.lock:
                if self.fail_next > 0:
                    self.fail_next -= 1
                    return Response("busy", 503)
                if self.refuse_next > 0:
                    self.refuse_next -= 1
                    return Response("unknown sender", 403)
            headers = list(request.headers.items())
            result = receive(headers, request.get_data(), lambda _to: self.own_profile(),
                             lambda _from: self.gateway_profile(), lambda _id, _from: False)
            with self.lock:
                self.received_message_ids.append(result.message_id)
                self.received_bodies.append(hashlib.sha256(request.get_data()).hexdigest())
                if result.status is InboundStatus.PROCESSED:
                    self.received.append(result.payload)
                if self.mdn_missing_next > 0:
                    self.mdn_missing_next -= 1
                    return Response(b"", 200)
            if result.mdn is not None and result.mdn.mode is MdnMode.SYNC:
                return Response(result.mdn.body, 200, headers=result.mdn.headers)
            if result.mdn is not None and result.mdn.url:
                # Like a real partner, answer the POST first and deliver the MDN afterwards.
                threading.Timer(0.3, httpx.post, args=(result.mdn.url,),
                                kwargs={"content": result.mdn.body, "headers": result.mdn.headers,
                                        "timeout": 30}).start()
            return Response("ok", 200)

        @app.post("/mdn")
        def mdn():
            with self.lock:
                self.mdns.append((list(request.headers.items()), request.get_data()))
            return Response("ok", 200)

        return app


@contextmanager
def amazon_as_partner(settings) -> Iterator[tuple[AmazonSimulator, str]]:
    """The fake Amazon served in a thread and added as the gateway's partner "AMAZON" (its
    certificate, its /as2 URL) for the block; yields it and its base URL. Our organisation
    must have a key already."""
    with session_scope(settings) as session:
        our_certificate = organisation_keys(session, settings, the_organisation(session))[0].certificate_pem
    amazon = AmazonSimulator(gateway_certificate=our_certificate)
    with serve_in_thread(amazon.app()) as amazon_url:
        with session_scope(settings) as session:
            partner = add_partner(session, name="Amazon", as2_id=AMAZON_ID, x12_id=AMAZON_ID,
                                  as2={"url": f"{amazon_url}/as2", "canonicalize_as_binary": True,
                                       "allow_private_mdn_addresses": True})  # it runs on 127.0.0.1
            import_partner_certificate(session, partner, amazon.certificate)
        yield amazon, amazon_url
