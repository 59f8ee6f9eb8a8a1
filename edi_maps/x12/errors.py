"""What can go wrong reading or writing X12.

Two kinds of failure, kept apart on purpose:

* Input that cannot be read as X12 at all (no ISA, an ISA that is not 106 characters,
  unusable delimiters, binary data) raises ``X12SyntaxError``: there is nothing to
  acknowledge segment by segment.
* Envelope faults in readable X12 (control numbers or counts that disagree, missing
  trailers, segments outside their envelope) are collected as ``EnvelopeError`` records,
  because the partner must be told about them in a TA1 or a 997 and reading goes on.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class X12Error(Exception):
    """Base of every X12 exception raised by ``edi_maps.x12``."""


class X12SyntaxError(X12Error):
    """The input cannot be read as X12; the message is one line a person can act on."""


class X12WriteError(X12Error):
    """The writer refused a value; the message names the field and the reason."""


class ErrorCode(StrEnum):
    """Envelope faults the reader detects, with the X12 code each maps to."""

    # Interchange level, reported in a TA1 (TA105, data element I18).
    ISA13_INVALID = "isa13_invalid"
    IEA_CONTROL_MISMATCH = "iea_control_mismatch"
    IEA_GROUP_COUNT = "iea_group_count"
    IEA_MISSING = "iea_missing"
    TRUNCATED = "truncated"
    OUTSIDE_INTERCHANGE = "outside_interchange"
    OUTSIDE_GROUP = "outside_group"
    OUTSIDE_SET = "outside_set"
    # Functional group level, reported in AK9 (data element 716).
    GE_MISSING = "ge_missing"
    GE_CONTROL_MISMATCH = "ge_control_mismatch"
    GE_SET_COUNT = "ge_set_count"
    GS06_INVALID = "gs06_invalid"
    # Transaction set level, reported in AK5 (data element 718).
    SE_MISSING = "se_missing"
    SE_CONTROL_MISMATCH = "se_control_mismatch"
    SE_SEGMENT_COUNT = "se_segment_count"
    ST01_INVALID = "st01_invalid"
    ST02_INVALID = "st02_invalid"


# code -> (level, X12 code). Levels: "interchange" (TA1 I18), "group" (AK9 716),
# "set" (AK5 718).
X12_CODES: dict[ErrorCode, tuple[str, str]] = {
    ErrorCode.ISA13_INVALID: ("interchange", "018"),
    ErrorCode.IEA_CONTROL_MISMATCH: ("interchange", "001"),
    ErrorCode.IEA_GROUP_COUNT: ("interchange", "021"),
    ErrorCode.IEA_MISSING: ("interchange", "023"),
    ErrorCode.TRUNCATED: ("interchange", "023"),
    ErrorCode.OUTSIDE_INTERCHANGE: ("interchange", "024"),
    ErrorCode.OUTSIDE_GROUP: ("interchange", "024"),
    ErrorCode.OUTSIDE_SET: ("interchange", "024"),
    ErrorCode.GE_MISSING: ("group", "3"),
    ErrorCode.GE_CONTROL_MISMATCH: ("group", "4"),
    ErrorCode.GE_SET_COUNT: ("group", "5"),
    ErrorCode.GS06_INVALID: ("group", "6"),
    ErrorCode.SE_MISSING: ("set", "2"),
    ErrorCode.SE_CONTROL_MISMATCH: ("set", "3"),
    ErrorCode.SE_SEGMENT_COUNT: ("set", "4"),
    ErrorCode.ST01_INVALID: ("set", "6"),
    ErrorCode.ST02_INVALID: ("set", "7"),
}


@dataclass(frozen=True)
class EnvelopeError:
    """One envelope fault, located well enough to build the TA1 or 997 that reports it.

    Exactly one of ``ta1_code`` (TA105), ``ak9_code`` (AK905..) or ``ak5_code``
    (AK502..) is set, according to the envelope the fault belongs to. Control numbers
    are the header's values (ISA13, GS06, ST02) as they appear in the data; they are
    ``None`` where the segment lies outside that envelope.
    """

    code: ErrorCode
    message: str
    interchange_control_number: str | None
    group_control_number: str | None
    set_control_number: str | None
    segment_number: int | None
    segment_tag: str | None
    ta1_code: str | None = None
    ak9_code: str | None = None
    ak5_code: str | None = None

    @classmethod
    def of(
        cls,
        code: ErrorCode,
        message: str,
        *,
        interchange: str | None,
        group: str | None = None,
        transaction_set: str | None = None,
        segment_number: int | None = None,
        segment_tag: str | None = None,
    ) -> EnvelopeError:
        """Build an error with the X12 code that belongs to ``code``."""
        level, x12_code = X12_CODES[code]
        return cls(
            code=code,
            message=message,
            interchange_control_number=interchange,
            group_control_number=group,
            set_control_number=transaction_set,
            segment_number=segment_number,
            segment_tag=segment_tag,
            ta1_code=x12_code if level == "interchange" else None,
            ak9_code=x12_code if level == "group" else None,
            ak5_code=x12_code if level == "set" else None,
        )

    @property
    def level(self) -> str:
        """``"interchange"``, ``"group"`` or ``"set"``: which acknowledgement reports it."""
        return X12_CODES[self.code][0]

    def __str__(self) -> str:
        if self.segment_number is None:
            return self.message
        tag = f" ({self.segment_tag})" if self.segment_tag else ""
        return f"segment {self.segment_number}{tag}: {self.message}"
