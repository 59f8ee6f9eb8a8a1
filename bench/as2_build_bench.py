"""Building one outbound AS2 message: the gateway's ``build_message`` beside pyas2lib's ``Message.build``.

    .venv/bin/python bench/as2_build_bench.py [--lines 20] [--messages 300]

An 855 of ``--lines`` lines, signed (sha256) and encrypted (aes-256-cbc) as the gateway's
partner defaults say, with keys generated for the run, is built ``--messages`` times in this
process by each of:

- baseline: pyas2lib's ``Message.build``, with its ``Organization`` and ``Partner`` made
  once (as the gateway kept them before it wrote the message itself);
- ``gateway.transport.as2.protocol.build_message``, as the sender calls it.

Each figure is the best of three rounds, CPU milliseconds per message. Then both messages
are read back by pyas2lib's parser and must give the same MIC. Issue 19 set no target for
this step; it shows what the sender's build costs (two per PO: the 997 and the 855).
"""
from __future__ import annotations

import argparse
import time

from gateway.partners.certificates import generate_organization_key
from gateway.transport.as2.compat import install_oscrypto_version_fix
from gateway.transport.as2.protocol import (
    OrganizationProfile,
    PartnerProfile,
    _pyas2lib_organization,
    _pyas2lib_partner,
    build_message,
)

install_oscrypto_version_fix()  # pyas2lib's oscrypto needs it; importing gateway.transport.as2 did it already

from pyas2lib import Message  # noqa: E402  (needs the fix above)

PASSPHRASE = b"bench passphrase"


def purchase_order_acknowledgement(lines: int) -> bytes:
    head = (b"ISA*00*          *00*          *ZZ*GATEWAY        *ZZ*AMAZON         "
            b"*261201*0839*U*00401*000000001*0*P*>~\nGS*PR*GATEWAY*AMAZON*20261201*0839*1*X*004010~\n"
            b"ST*855*0001~\nBAK*00*AC*T8MDR6PB*20261201~\n")
    body = b"".join(b"PO1*%d*10*EA*9.99**EN*%013d~\nACK*IA*10*EA*068*20261205~\n" % (n, 4006381333000 + n)
                    for n in range(1, lines + 1))
    return head + body + b"CTT*%d~\nSE*%d*0001~\nGE*1*1~\nIEA*1*000000001~\n" % (lines, 2 * lines + 4)


def per_message(build, messages: int) -> float:
    """Best of three rounds, CPU milliseconds per message."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(messages):
            build()
        best = min(best, (time.process_time() - started) / messages * 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--messages", type=int, default=300)
    options = parser.parse_args()

    ours_key = generate_organization_key("GATEWAY", PASSPHRASE)
    amazon_key = generate_organization_key("AMAZON", PASSPHRASE)
    us = OrganizationProfile("GATEWAY", (ours_key,), mdn_url="https://gateway.example/as2/mdn")
    amazon = PartnerProfile("AMAZON", (amazon_key.certificate_pem,))
    payload = purchase_order_acknowledgement(options.lines)

    # pyas2lib's view of both sides, made once (and kept, as the gateway keeps them).
    sender, receiver = _pyas2lib_organization(us, 0), _pyas2lib_partner(amazon, 0)

    def pyas2lib_build() -> Message:
        message = Message(sender=sender, receiver=receiver)
        message.build(payload, filename="855.edi", content_type="application/edi-x12",
                      disposition_notification_to=us.as2_id)
        return message

    baseline = per_message(pyas2lib_build, options.messages)
    ours = per_message(lambda: build_message(us, amazon, payload, "855.edi"), options.messages)

    # Both read back by Amazon's side in pyas2lib, with the same MIC: the same message built two ways.
    amazon_side = _pyas2lib_organization(OrganizationProfile("AMAZON", (amazon_key,)), 0)
    gateway_at_amazon = _pyas2lib_partner(PartnerProfile("GATEWAY", (ours_key.certificate_pem,)), 0)
    reference, built = pyas2lib_build(), build_message(us, amazon, payload, "855.edi")
    mics = set()
    for headers, body in ((reference.headers, reference.content), (built.headers, built.body)):
        read = Message()
        raw = "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode() + b"\r\n" + body
        status, (error, _trace), _mdn = read.parse(raw, find_org_cb=lambda _id: amazon_side,
                                                   find_partner_cb=lambda _id: gateway_at_amazon)
        assert status == "processed", f"pyas2lib could not read a message: {error}"
        mics.add(read.mic)
    assert len(mics) == 1, f"the two builds differ: MICs {mics}"

    print(f"one signed and encrypted 855 of {options.lines} lines ({len(payload)} bytes), "
          f"best of 3 rounds of {options.messages}")
    print(f"{'':40} {'CPU ms per message':>20}")
    print(f"{'pyas2lib Message.build (baseline)':40} {baseline:20.2f}")
    print(f"{'gateway build_message':40} {ours:20.2f}   {baseline / ours:.1f}x faster")


if __name__ == "__main__":
    main()
