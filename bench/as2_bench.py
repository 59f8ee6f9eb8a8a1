"""AS2 protocol core throughput beside the bare RSA cost on this machine, in one run.

Measures ``gateway.as2.receive`` alone (no HTTP, no database): signed + encrypted 850s,
each answered with a signed synchronous MDN, from 4 concurrent senders (processes, as
the work is CPU-bound). Each message costs two RSA private operations (unwrap the
content key, sign the MDN), so ``openssl speed -multi 2 rsa2048`` sign/s divided by two
is the crypto floor. The endpoint's own benchmark adds HTTP and the database on top.

    .venv/bin/python bench/as2_bench.py [--seconds 60] [--senders 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import subprocess
import time

from gateway.as2 import (
    InboundStatus,
    OrganizationProfile,
    OutboundMessage,
    PartnerProfile,
    build_message,
    generate_organization_key,
    receive,
)

PURCHASE_ORDER = (
    b"ISA*00*          *00*          *ZZ*AMAZON         *ZZ*VENDOR         "
    b"*261127*0839*U*00401*000000001*0*P*>~\n"
    b"GS*PO*AMAZON*VENDOR*20261127*0839*1*X*004010~\nST*850*0001~\n"
    b"BEG*00*NE*T8MDR6PB**20261127~\nDTM*064*20261201~\nDTM*063*20261208~\n"
    b"N1*ST**92*RNO4~\nPO1*1*12*EA*9.99**BP*B00EXAMPLE~\nPO1*2*6*EA*19.5**EN*4006381333931~\n"
    b"CTT*2*18~\nSE*10*0001~\nGE*1*1~\nIEA*1*000000001~\n"
)


def rsa_private_operations_per_second(processes: int = 2, seconds: int = 5) -> float:
    """``openssl speed -multi N rsa2048`` sign/s: RSA-2048 private operations, all cores."""
    output = subprocess.run(
        ["openssl", "speed", "-multi", str(processes), "-seconds", str(seconds), "-mr", "rsa2048"],
        capture_output=True, text=True, check=True).stdout
    # The last "+F2:<n>:2048:<sign/s>:<verify/s>" line is the total over all processes.
    totals = re.findall(r"^\+F2:\d+:2048:([\d.]+):([\d.]+)$", output, re.MULTILINE)
    return float(totals[-1][0])


def sender(arguments: tuple) -> tuple[int, int]:
    """Receive messages in a loop until the deadline; return (messages, errors)."""
    us, amazon_partner, messages, deadline = arguments
    done = errors = 0
    while time.time() < deadline:
        message = messages[done % len(messages)]
        result = receive(message.headers, message.body, lambda _: us,
                         lambda _: amazon_partner, lambda _message_id, _partner: False)
        if result.status is not InboundStatus.PROCESSED or not (result.mdn and result.mdn.signed):
            errors += 1
        done += 1
    return done, errors


def prepared_messages(count: int) -> tuple[OrganizationProfile, PartnerProfile, list[OutboundMessage]]:
    our_key = generate_organization_key("VENDOR", b"bench passphrase")
    amazon_key = generate_organization_key("AMAZON", b"bench passphrase")
    us = OrganizationProfile("VENDOR", (our_key,))
    amazon = OrganizationProfile("AMAZON", (amazon_key,))
    amazon_partner = PartnerProfile("AMAZON", (amazon_key.certificate_pem,))
    us_at_amazon = PartnerProfile("VENDOR", (our_key.certificate_pem,))
    messages = [build_message(amazon, us_at_amazon, PURCHASE_ORDER, "850.edi")
                for _ in range(count)]
    return us, amazon_partner, messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--senders", type=int, default=4)
    options = parser.parse_args()

    private_ops = rsa_private_operations_per_second()
    floor = private_ops / 2
    us, amazon_partner, messages = prepared_messages(50)
    deadline = time.time() + options.seconds
    with multiprocessing.Pool(options.senders) as pool:
        started = time.time()
        counts = pool.map(sender, [(us, amazon_partner, messages, deadline)] * options.senders)
        elapsed = time.time() - started
    received = sum(done for done, _ in counts)
    errors = sum(failed for _, failed in counts)
    rate = received / elapsed

    print(f"cores: {os.cpu_count()}, senders: {options.senders}, {elapsed:.1f} s")
    print(f"openssl speed -multi 2 rsa2048: {private_ops:.0f} private ops/s "
          f"-> crypto floor {floor:.0f} msg/s (2 private ops per message)")
    print(f"receive (signed + encrypted 850, signed sync MDN): {rate:.1f} msg/s, "
          f"{errors} errors, {100 * rate / floor:.1f}% of the crypto floor")


if __name__ == "__main__":
    main()
