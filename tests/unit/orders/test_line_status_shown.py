"""What a line reads as, as a table: once an 855 stated it, what that 855 told Amazon, so a
line rejected to Amazon never reads held, open or allocated; before, the line's own status."""
import pytest

from gateway.orders.status import LineAcknowledgement, LineStatus, acknowledged_as, line_status_shown


@pytest.mark.parametrize(("status", "codes", "shown"), [
    pytest.param("open", [], LineStatus.OPEN, id="waiting for the IMS, no 855 yet"),
    pytest.param("held", [], LineStatus.HELD, id="unknown identifier before the 855"),
    pytest.param("allocated", [], LineStatus.ALLOCATED, id="allocated, no 855 yet"),
    pytest.param("held", ["rejected"], LineAcknowledgement.REJECTED, id="unknown identifier rejected (R2)"),
    pytest.param("allocated", ["rejected"], LineAcknowledgement.REJECTED, id="obsolete: allocated, still rejected"),
    pytest.param("open", ["rejected"], LineAcknowledgement.REJECTED, id="acknowledged at the margin, IMS silent"),
    pytest.param("allocated", ["accepted"], LineAcknowledgement.ACCEPTED, id="all accepted"),
    pytest.param("partially_allocated", ["accepted", "rejected"], LineAcknowledgement.PARTIALLY_ACCEPTED,
                 id="some accepted, the rest rejected"),
    pytest.param("allocated", ["accepted", "rejected"], LineAcknowledgement.PARTIALLY_ACCEPTED,
                 id="the IMS found the rest after the 855: Amazon was told partial"),
    pytest.param("partially_allocated", ["accepted", "backordered"], LineAcknowledgement.PARTIALLY_ACCEPTED,
                 id="some accepted, the rest backordered"),
    pytest.param("backordered", ["backordered"], LineAcknowledgement.BACKORDERED, id="all backordered"),
    pytest.param("backordered", ["backordered", "rejected"], LineAcknowledgement.BACKORDERED,
                 id="backordered and the rest rejected"),
    pytest.param("cancelled", ["accepted"], LineStatus.CANCELLED, id="Amazon cancelled it after the 855 (860)"),
])
def test_the_status_shown(status, codes, shown):
    assert line_status_shown(status, codes) is shown


def test_no_outcome_is_no_acknowledgement():
    assert acknowledged_as([]) is None
