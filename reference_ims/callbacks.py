"""Tells the gateway when an order's allocation changes after the create call answered.

Each delivery reads the order as it is at sending time (never a stale copy) and is
retried a few times on network errors and 5xx (reference_ims/delivery.py), then given up
with a log line: the gateway can always read the order with GET, so a lost callback
delays an update but loses nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_ims.delivery import Courier


class AllocationNotifier:
    """Posts changed orders to ``url`` with ``token``, oldest change first."""

    def __init__(self, url: str, token: str, read_order: Callable[[str], dict[str, Any]]) -> None:
        self._courier = Courier(url, token, read_order, label=lambda po: f"allocation callback for PO {po}",
                                thread_name="allocation-callbacks")

    def notify(self, po_numbers: list[str]) -> None:
        """Queue the orders for delivery; returns at once."""
        self._courier.send(po_numbers)
