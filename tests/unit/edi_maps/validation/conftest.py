"""Helpers for the validation tests: the 997/TA1 we would send for a payload, as plain
``AK3*BEG*2**8`` strings a reader can compare."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from edi_maps.functional_ack import build_ack_groups, build_ta1
from edi_maps.validation import ValidationReport, validate_interchange


# The clock a TA1 is built at: it stands in for an ISA09/ISA10 that is not a valid date or time.
NOW = datetime(2026, 11, 30, 12, 0)


def segment_text(segment) -> str:
    """A body segment as X12 text with ``*`` and ``>``, trailing empties left out."""
    values = [">".join(v) if isinstance(v, (list, tuple)) else v for v in segment]
    while values and values[-1] == "":
        values.pop()
    return "*".join(values)


def acknowledgments(report: ValidationReport) -> list[list[str]]:
    """What we answer: per interchange either ``[TA1...]`` or every 997 body, in order."""
    out = []
    for interchange in report.interchanges:
        ta1 = build_ta1(interchange, when=NOW)
        if ta1 is not None:
            out.append([segment_text(ta1.elements)])
            continue
        for group in build_ack_groups(interchange, range(1, 100)):
            for tset in group.transaction_sets:
                out.append([segment_text(s) for s in tset.segments])
    return out


def validate_file(path: Path) -> ValidationReport:
    return validate_interchange(path.read_bytes())
