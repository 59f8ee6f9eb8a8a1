"""Posts JSON to the gateway on a background thread, retrying what may succeed later.

Shared by the allocation callbacks and the shipment posts. Deliveries run on one thread
per courier, so a slow or absent gateway never holds up an IMS request. Each delivery
reads its body at sending time (never a stale copy), is retried with backoff on network
errors, 408, 429 and 5xx, and stops at the first success or refusal: a 4xx will not
change by asking again, and whoever reads the log or the recorded answer must fix the
cause first.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger("reference_ims.delivery")

ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.5
TIMEOUT_SECONDS = 5.0
RETRIED_STATUSES = (408, 429)


@dataclass(frozen=True, slots=True)
class Answer:
    """What one attempt got back: ``status`` is None when no HTTP answer came at all."""

    status: int | None
    text: str  # the response body, or the network error in words
    last_attempt: bool

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        """An answer that asking again will not change (a 4xx but 408 and 429)."""
        return self.status is not None and not self.delivered and not _worth_retrying(self.status)

    @property
    def final(self) -> bool:
        """No further attempt follows this one."""
        return self.last_attempt or self.delivered or self.refused


class Courier:
    """Posts ``read_body(key)`` to ``url`` with ``token`` for every key handed to ``send``, oldest first.

    ``label(key)`` names the delivery in log lines ("allocation callback for PO X");
    ``on_answer(key, answer)``, when given, hears every attempt's answer, so a caller can
    keep what the gateway said.
    """

    def __init__(self, url: str, token: str, read_body: Callable[[str], dict[str, Any]], *,
                 label: Callable[[str], str], on_answer: Callable[[str, Answer], None] | None = None,
                 attempts: int = ATTEMPTS, thread_name: str = "gateway-deliveries") -> None:
        self.url, self.token, self.read_body, self.label = url, token, read_body, label
        self.on_answer = on_answer or (lambda key, answer: None)
        self.attempts, self.thread_name = attempts, thread_name
        self._pending: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def send(self, keys: list[str]) -> None:
        """Queue the keys for delivery; returns at once."""
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._deliver_forever, name=self.thread_name, daemon=True)
                self._thread.start()
        for key in keys:
            self._pending.put(key)

    def _deliver_forever(self) -> None:
        with httpx.Client(timeout=TIMEOUT_SECONDS, headers={"Authorization": f"Bearer {self.token}"}) as client:
            while True:
                key = self._pending.get()
                try:
                    self._deliver(client, key)
                except Exception:  # the thread must outlive any one bad delivery
                    log.exception("%s failed", self.label(key))

    def _deliver(self, client: httpx.Client, key: str) -> None:
        for attempt in range(1, self.attempts + 1):
            answer = self._attempt(client, key, last=attempt == self.attempts)
            self.on_answer(key, answer)
            if answer.delivered:
                log.info("%s delivered (HTTP %s)", self.label(key), answer.status)
                return
            problem = f"HTTP {answer.status}: {answer.text[:200]}" if answer.status else answer.text
            if answer.refused:
                log.error("%s refused, not retried: %s", self.label(key), problem)
                return
            log.warning("%s, attempt %d of %d: %s", self.label(key), attempt, self.attempts, problem)
            if attempt < self.attempts:
                time.sleep(FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1))
        log.error("%s given up after %d attempts", self.label(key), self.attempts)

    def _attempt(self, client: httpx.Client, key: str, *, last: bool) -> Answer:
        try:
            response = client.post(self.url, json=self.read_body(key))
        except httpx.HTTPError as error:
            return Answer(None, f"{type(error).__name__}: {error}", last)
        return Answer(response.status_code, response.text, last)


def _worth_retrying(status: int) -> bool:
    """A server error or a request to come back later; never a success or a refusal."""
    return status >= 500 or status in RETRIED_STATUSES
