"""Ships allocated orders by themselves after a while, so a demo runs end to end unattended.

A SANDBOX extension (``--auto-ship-seconds N``, off by default): a background thread
looks every few seconds for open orders that hold allocated stock and have not changed
for N seconds, and ships each as ``POST /api/v1/sales-orders/{po_number}/shipments``
would with no body. Waiting for the order to sit still gives the gateway time to send
its 855 and lets a PO change arrive before the truck leaves.
"""
from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from reference_ims.shipments import Shipper
from reference_ims.store import NothingToShip

log = logging.getLogger("reference_ims.autoship")

LONGEST_SCAN_INTERVAL_SECONDS = 5.0
SHORTEST_SCAN_INTERVAL_SECONDS = 0.2


class AutoShipper:
    """Ships what ``shipper``'s store has had allocated and unchanged for ``after_seconds``."""

    def __init__(self, shipper: Shipper, after_seconds: float) -> None:
        if after_seconds <= 0:
            raise ValueError("auto-ship needs a wait of more than 0 seconds (--auto-ship-seconds)")
        self.shipper, self.after = shipper, timedelta(seconds=after_seconds)
        self.interval = min(LONGEST_SCAN_INTERVAL_SECONDS, max(SHORTEST_SCAN_INTERVAL_SECONDS, after_seconds / 4))
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._scan_forever, name="auto-ship", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()

    def ship_due_orders(self) -> list[str]:
        """Ship every order that is due now; the PO numbers shipped."""
        # Times are stored to the whole second, rounded down: one second more of wait makes
        # sure no order ships before it has sat still for the full N seconds.
        cutoff = datetime.now(UTC).replace(tzinfo=None) - self.after - timedelta(seconds=1)
        shipped = []
        for po_number in self.shipper.store.orders_to_ship(unchanged_since=cutoff):
            try:
                self.shipper.ship(po_number)
            except NothingToShip:  # shipped or changed since the scan read it
                continue
            shipped.append(po_number)
        return shipped

    def _scan_forever(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self.ship_due_orders()
            except Exception:  # the thread must outlive any one bad scan
                log.exception("auto-ship scan failed")
