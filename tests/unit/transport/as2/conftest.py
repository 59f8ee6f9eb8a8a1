"""Profiles for the AS2 tests, on the key pairs of tests/unit/conftest.py.

"GATEWAY" is us; "AMAZON" is a partner, played by pyas2lib through our own functions or
by ``openssl cms``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest

from gateway.transport.as2.protocol import (
    InboundResult,
    OrganizationProfile,
    PartnerProfile,
    ReceiveLimits,
    receive,
)
from gateway.partners.certificates import OrganizationKey
from tests.unit.conftest import AMAZON_ID, OUR_ID

OUR_MDN_URL = "https://gateway.example/as2/mdn"
AMAZON_MDN_URL = "https://amazon.example/as2/mdn"
PURCHASE_ORDER = (
    b"ISA*00*          *00*          *ZZ*AMAZON         *ZZ*GATEWAY        "
    b"*261127*0839*U*00401*000000001*0*P*>~\n"
    b"GS*PO*AMAZON*GATEWAY*20261127*0839*1*X*004010~\n"
    b"ST*850*0001~\nBEG*00*NE*T8MDR6PB**20261127~\nSE*3*0001~\nGE*1*1~\n"
    b"IEA*1*000000001~\n"
)


@pytest.fixture
def us(our_key: OrganizationKey) -> OrganizationProfile:
    return OrganizationProfile(OUR_ID, (our_key,), mdn_url=OUR_MDN_URL)


@pytest.fixture
def amazon_partner(amazon_key: OrganizationKey) -> PartnerProfile:
    """Amazon as our partner profile sees it."""
    return PartnerProfile(AMAZON_ID, (amazon_key.certificate_pem,))


@pytest.fixture
def amazon(amazon_key: OrganizationKey) -> OrganizationProfile:
    """Amazon's own side, for messages that Amazon sends and MDNs that it signs."""
    return OrganizationProfile(AMAZON_ID, (amazon_key,), mdn_url=AMAZON_MDN_URL)


@pytest.fixture
def us_at_amazon(our_key: OrganizationKey) -> PartnerProfile:
    """We, as Amazon's partner profile sees us."""
    return PartnerProfile(OUR_ID, (our_key.certificate_pem,))


class Directory:
    """The receiving side's lookups: organisations, partners and Message-IDs seen."""

    def __init__(self, orgs: Iterable[OrganizationProfile], partners: Iterable[PartnerProfile]):
        self.orgs = {org.as2_id: org for org in orgs}
        self.partners = {partner.as2_id: partner for partner in partners}
        self.seen: set[tuple[str, str]] = set()
        self.duplicate_checks: list[tuple[str, str]] = []

    def lookup_org(self, as2_id: str) -> OrganizationProfile | None:
        return self.orgs.get(as2_id)

    def lookup_partner(self, as2_id: str) -> PartnerProfile | None:
        return self.partners.get(as2_id)

    def is_duplicate(self, message_id: str, as2_from: str) -> bool:
        self.duplicate_checks.append((message_id, as2_from))
        return (message_id, as2_from) in self.seen

    def receive(self, headers: Mapping[str, str] | Iterable[tuple[str, str]], body: bytes,
                limits: ReceiveLimits = ReceiveLimits()) -> InboundResult:
        """Receive as the endpoint would, remembering processed Message-IDs."""
        result = receive(headers, body, self.lookup_org, self.lookup_partner,
                         self.is_duplicate, limits)
        if result.message_id and result.as2_from and result.payload is not None:
            self.seen.add((result.message_id, result.as2_from))
        return result


@pytest.fixture
def gateway(us: OrganizationProfile, amazon_partner: PartnerProfile) -> Directory:
    """Our receiving side, knowing Amazon."""
    return Directory([us], [amazon_partner])


@pytest.fixture
def amazon_gateway(amazon: OrganizationProfile, us_at_amazon: PartnerProfile) -> Directory:
    """Amazon's receiving side (pyas2lib through our functions), knowing us."""
    return Directory([amazon], [us_at_amazon])
