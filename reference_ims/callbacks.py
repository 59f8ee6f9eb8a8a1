"""Tells the gateway when an order's allocation changes after the create call answered.

Deliveries run on one background thread, so a slow or absent gateway never holds up an
IMS request. Each delivery reads the order as it is at sending time (never a stale
copy), is retried a few times with backoff on network errors and 5xx, and is given up
with a log line otherwise: the gateway can always read the order with GET, so a lost
callback delays an update but loses nothing.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

log = logging.getLogger("reference_ims.callbacks")

ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.5
TIMEOUT_SECONDS = 5.0


class AllocationNotifier:
    """Posts changed orders to ``url`` with ``token``, oldest change first."""

    def __init__(self, url: str, token: str, read_order: Callable[[str], dict[str, Any]]) -> None:
        self.url, self.token, self.read_order = url, token, read_order
        self._pending: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def notify(self, po_numbers: list[str]) -> None:
        """Queue the orders for delivery; returns at once."""
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._deliver_forever, name="allocation-callbacks", daemon=True)
                self._thread.start()
        for po_number in po_numbers:
            self._pending.put(po_number)

    def _deliver_forever(self) -> None:
        with httpx.Client(timeout=TIMEOUT_SECONDS, headers={"Authorization": f"Bearer {self.token}"}) as client:
            while True:
                po_number = self._pending.get()
                try:
                    self._deliver(client, po_number)
                except Exception:  # the thread must outlive any one bad delivery
                    log.exception("allocation callback for PO %s failed", po_number)

    def _deliver(self, client: httpx.Client, po_number: str) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            body = self.read_order(po_number)
            try:
                response = client.post(self.url, json=body)
            except httpx.HTTPError as error:
                problem = f"{type(error).__name__}: {error}"
            else:
                if response.is_success:
                    log.info("allocation callback for PO %s revision %s delivered", po_number, body["revision"])
                    return
                problem = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code < 500 and response.status_code not in (408, 429):
                    log.error("allocation callback for PO %s refused, not retried: %s", po_number, problem)
                    return
            log.warning("allocation callback for PO %s, attempt %d of %d: %s", po_number, attempt, ATTEMPTS, problem)
            if attempt < ATTEMPTS:
                time.sleep(FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1))
        log.error("allocation callback for PO %s given up after %d attempts", po_number, ATTEMPTS)
