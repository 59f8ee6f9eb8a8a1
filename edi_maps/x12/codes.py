"""X12 997 code lists shared by what writes our 997s and what reads the partner's.

One list per element, so the words an operator sees for a code are the same whether we
found the error or Amazon did.
"""

# AK304, X12 element 720.
SEGMENT_SYNTAX_ERRORS = {
    "1": "unrecognized segment ID",
    "2": "unexpected segment",
    "3": "mandatory segment missing",
    "4": "loop occurs over maximum times",
    "5": "segment exceeds maximum use",
    "6": "segment not in defined transaction set",
    "7": "segment not in proper sequence",
    "8": "segment has data element errors",
}

# AK403, X12 element 723 (12 and 13 exist from version 5010 on).
ELEMENT_SYNTAX_ERRORS = {
    "1": "mandatory data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
}
