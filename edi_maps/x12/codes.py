"""X12 997 code lists shared by what writes our 997s and what reads the partner's.

One list per element, so the words an operator sees for a code are the same whether we
found the error or Amazon did. The words are the standard's, with the envelope elements
a code is about in brackets, so that an operator knows where to look.
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

# AK502..AK506, X12 element 718.
SET_SYNTAX_ERRORS = {
    "1": "transaction set not supported",
    "2": "transaction set trailer (SE) missing",
    "3": "transaction set control number in header and trailer do not match (ST02, SE02)",
    "4": "number of included segments does not match actual count (SE01)",
    "5": "one or more segments in error",
    "6": "missing or invalid transaction set identifier (ST01)",
    "7": "missing or invalid transaction set control number (ST02, SE02)",
    "8": "authentication key name unknown",
    "9": "encryption key name unknown",
    "10": "requested service (authentication or encryption) not available",
    "11": "unknown security recipient",
    "12": "incorrect message length (encryption only)",
    "13": "message authentication code failed",
    "15": "unknown security originator",
    "16": "syntax error in decrypted text",
    "17": "security not supported",
    "23": "transaction set control number not unique within the functional group",
    "24": "S3E security end segment missing for S3S security start segment",
    "25": "S3E security control reference does not match S3S security start segment",
    "26": "S4E security end segment missing for S4S security start segment",
    "27": "S4E security control reference does not match S4S security start segment",
}

# AK905..AK909, X12 element 716.
GROUP_SYNTAX_ERRORS = {
    "1": "functional group not supported",
    "2": "functional group version not supported",
    "3": "functional group trailer (GE) missing",
    "4": "group control number in the functional group header and trailer do not agree (GS06, GE02)",
    "5": "number of included transaction sets does not match actual count (GE01)",
    "6": "group control number violates syntax (GS06, GE02)",
    "10": "authentication key name unknown",
    "11": "encryption key name unknown",
    "12": "requested service (authentication or encryption) not available",
    "13": "unknown security recipient",
    "14": "unknown security originator",
    "15": "syntax error in decrypted text",
    "16": "security not supported",
    "17": "incorrect message length (encryption only)",
    "18": "message authentication code failed",
    "19": "functional group control number not unique within interchange",
    "23": "S3E security end segment missing for S3S security start segment",
    "24": "S3E security control reference does not match S3S security start segment",
    "25": "S4E security end segment missing for S4S security start segment",
    "26": "S4E security control reference does not match S4S security start segment",
}
