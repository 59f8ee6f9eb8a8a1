"""The status vocabulary of a message on the wire (``Message.status``), in both directions.

Transports set the wire states; ``gateway.exchange`` moves a stored inbound message
through processing; ``gateway.recovery`` puts a failed one back to where its task starts.
"""
from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    # inbound
    RECEIVED = "received"  # raw body and headers stored, not opened yet
    ACCEPTED = "accepted"  # opened, verified, MDN answered; waiting to be processed
    DUPLICATE = "duplicate"  # a Message-ID seen before from the same partner: not processed again
    REJECTED = "rejected"  # refused with a negative MDN
    PROCESSING = "processing"
    PROCESSED = "processed"
    # The interchange was refused at envelope level with a TA1 (or could not even be answered
    # with one): nothing in it was taken in, and an ``interchange_refused`` exception says why.
    REFUSED = "refused"
    # outbound
    QUEUED = "queued"  # stored; built (signed, encrypted) by its first send attempt
    AWAITING_MDN = "awaiting-mdn"  # POSTed, the partner's asynchronous MDN not back yet
    DELIVERED = "delivered"  # a positive MDN with our MIC came back
    MDN_FAILED = "mdn-failed"  # the MDN reports an error or cannot be verified
    # both
    FAILED = "failed"
