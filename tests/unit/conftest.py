"""Key pairs for the unit tests of partners and AS2, generated when the tests run (once per
test process: RSA generation is slow). No key or certificate is ever stored in the
repository. "GATEWAY" is us; "AMAZON" is a partner.
"""
from __future__ import annotations

import pytest

from gateway.partners.certificates import OrganizationKey, generate_organization_key

OUR_ID = "GATEWAY"
AMAZON_ID = "AMAZON"


@pytest.fixture(scope="session")
def our_key() -> OrganizationKey:
    return generate_organization_key(OUR_ID, b"our passphrase", valid_days=30)


@pytest.fixture(scope="session")
def our_next_key() -> OrganizationKey:
    """The key that replaces ``our_key`` in a rollover."""
    return generate_organization_key(OUR_ID, b"our next passphrase", valid_days=60)


@pytest.fixture(scope="session")
def amazon_key() -> OrganizationKey:
    return generate_organization_key(AMAZON_ID, b"amazon passphrase")


@pytest.fixture(scope="session")
def amazon_next_key() -> OrganizationKey:
    return generate_organization_key(AMAZON_ID, b"amazon next passphrase")


@pytest.fixture(scope="session")
def stranger_key() -> OrganizationKey:
    """A key pair that nobody registered."""
    return generate_organization_key("STRANGER", b"stranger passphrase")
