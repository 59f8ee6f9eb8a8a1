"""SSCC-18 checks: is a carton's or pallet's serial well formed, and was it used within a year.

Amazon charges for an ASN whose SSCC is malformed or reused within 365 days, so every SSCC is
checked before a label is printed or an 856 is sent. The GS1 check digit comes from biip, not
from arithmetic written here. Pure: the SSCCs already used are handed in, not looked up.
"""
from collections.abc import Mapping
from datetime import date, timedelta

from biip.checksums import gs1_standard_check_digit
from biip.sscc import Sscc

DIGITS = "0123456789"
SSCC_LENGTH = 18
REUSE_WINDOW_DAYS = 365


def check_sscc(text: str) -> str | None:
    """The one thing wrong with ``text`` as an SSCC-18, in words for ops; None when it is valid.

    Length and digits are checked first so that the message names them, rather than a check
    digit computed from a malformed number.
    """
    if any(character not in DIGITS for character in text):
        return f"{text!r} is not all digits: an SSCC is 18 digits"
    if len(text) != SSCC_LENGTH:
        return f"{len(text)} digits, an SSCC has {SSCC_LENGTH}"
    expected = gs1_standard_check_digit(text[:-1])
    if int(text[-1]) != expected:
        return f"check digit {text[-1]} should be {expected}"
    return None


def parse_sscc(text: str) -> Sscc:
    """The SSCC as biip's record (for its human-readable line); ValueError naming the problem."""
    problem = check_sscc(text)
    if problem is not None:
        raise ValueError(f"SSCC {text!r}: {problem}")
    return Sscc.parse(text)


def sscc_reused(sscc: str, seen: Mapping[str, date], today: date,
                window_days: int = REUSE_WINDOW_DAYS) -> date | None:
    """The date ``sscc`` was last used when that is within ``window_days`` of ``today``, else None.

    ``seen`` maps each SSCC already shipped to the date it last shipped; Amazon forbids reusing
    one within 365 days, so an older use is no problem.
    """
    used_on = seen.get(sscc)
    if used_on is None or today - used_on >= timedelta(days=window_days):
        return None
    return used_on
