"""Amazon's 820s for tests: written as X12, read by our 820 map, taken in as the inbound
worker takes them in (a stored inbound message and the finance receiver)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from edi_maps.amazon.remittance import remittance_from_segments
from edi_maps.documents import Remittance
from edi_maps.x12.reader import X12Reader
from gateway.finance.remittances import receive_remittance
from gateway.models import Message, TradingPartner
from gateway.platform.db import session_scope


@dataclass
class Rmr:
    reference: str
    paid: str
    invoiced: str | None = None
    po_number: str | None = None
    adjustments: list[tuple[str, str]] = field(default_factory=list)  # (amount, reason code)


def remittance_x12(trace: str, lines: list[Rmr], *, total: str | None = None,
                   paid_on: date = date(2026, 12, 15)) -> str:
    """One 820 interchange (Amazon to ACMEBRANDS) paying ``lines``; BPR02 is their sum unless given."""
    amount = total or str(sum((Decimal(line.paid) for line in lines), Decimal(0)))
    body = [f"BPR*I*{amount}*C*ACH*CCP*01*021000021*DA*123456789*1234567890**01*011000015*DA*987654321*"
            f"{paid_on:%Y%m%d}", f"TRN*1*{trace}*1234567890", "N1*PR*AMAZON.COM", "N1*PE*ACME BRANDS LTD*92*ACMEB",
            "ENT*1"]
    for line in lines:
        body.append(f"RMR*IV*{line.reference}*PO*{line.paid}" + (f"*{line.invoiced}" if line.invoiced else ""))
        if line.po_number:
            body.append(f"REF*PO*{line.po_number}")
        body += [f"ADX*{amount_}*{code}" for amount_, code in line.adjustments]
    segments = ["ST*820*0001", *body, f"SE*{len(body) + 2}*0001"]
    return ("ISA*00*          *00*          *ZZ*AMAZON         *ZZ*ACMEBRANDS     *261215*0930*U*00401*000000108*0*P*>~"
            "GS*RA*AMAZON*ACMEBRANDS*20261215*0930*108*X*004010~" + "~".join(segments)
            + "~GE*1*108~IEA*1*000000108~")


def remittance(trace: str, lines: list[Rmr], **options) -> Remittance:
    """The document our 820 map reads from :func:`remittance_x12`."""
    segments = list(X12Reader(io.BytesIO(remittance_x12(trace, lines, **options).encode())))
    return remittance_from_segments(segments[2:-2])


def take_in(settings, document: Remittance) -> None:
    """What the inbound worker does with an accepted 820: the finance receiver, in one transaction."""
    with session_scope(settings) as session:
        partner = session.scalars(select(TradingPartner).where(TradingPartner.as2_id == "AMAZON")).one()
        message = Message(direction="inbound", partner_id=partner.id, status="processed", document_type="820",
                          body_sha256="0" * 64, body_size=0)
        session.add(message)
        session.flush()
        receive_remittance(session, partner, message, document)
