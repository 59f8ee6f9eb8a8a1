"""SSCC-18 checks as properties: valid check digits pass, any single wrong digit, length or character fails."""
from datetime import date, timedelta

from biip.checksums import gs1_standard_check_digit
from hypothesis import given
from hypothesis import strategies as st

from gateway.shipping.sscc import check_sscc, parse_sscc, sscc_reused

payloads = st.text(alphabet="0123456789", min_size=17, max_size=17)


def with_check_digit(payload: str) -> str:
    return payload + str(gs1_standard_check_digit(payload))


@given(payloads)
def test_every_sscc_with_its_check_digit_passes(payload: str) -> None:
    assert check_sscc(with_check_digit(payload)) is None


@given(payloads, st.integers(0, 17), st.integers(1, 9))
def test_changing_any_single_digit_fails(payload: str, position: int, shift: int) -> None:
    sscc = with_check_digit(payload)
    changed = sscc[:position] + str((int(sscc[position]) + shift) % 10) + sscc[position + 1:]
    assert check_sscc(changed) is not None


@given(st.text(alphabet="0123456789", max_size=40).filter(lambda text: len(text) != 18))
def test_wrong_lengths_fail_naming_the_length(text: str) -> None:
    assert check_sscc(text) == f"{len(text)} digits, an SSCC has 18"


@given(payloads, st.integers(0, 17), st.characters(exclude_characters="0123456789"))
def test_a_character_that_is_no_ascii_digit_fails(payload: str, position: int, character: str) -> None:
    sscc = with_check_digit(payload)
    assert check_sscc(sscc[:position] + character + sscc[position + 1:]) is not None


def test_problems_are_named() -> None:
    assert check_sscc("00614141123456789") == "17 digits, an SSCC has 18"
    assert check_sscc("006141411234567893") == "check digit 3 should be 0"
    assert check_sscc("00614141123456789O") == "'00614141123456789O' is not all digits: an SSCC is 18 digits"
    assert check_sscc("006141411234567890") is None


def test_parse_gives_the_human_readable_line() -> None:
    assert parse_sscc("006141411234567890").as_hri() == "0 0614141 123456789 0"


def test_reuse_within_365_days_is_named_by_its_date() -> None:
    today = date(2026, 11, 30)
    seen = {"006141411234567890": today - timedelta(days=364)}
    assert sscc_reused("006141411234567890", seen, today) == today - timedelta(days=364)
    assert sscc_reused("006141411234567890", seen, today + timedelta(days=1)) is None
    assert sscc_reused("000000000000000000", seen, today) is None
