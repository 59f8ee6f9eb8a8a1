"""Counting refused requests per client address, to answer 429 before doing any work.

Pure: no Flask, no clock of its own (the caller passes ``now``), so the decisions are
tested as plain calls. ``gateway.web.as2_edge`` wires it to the AS2 endpoints.

Counted per web process, in memory, on purpose: the point is to shed a hostile sender
cheaply, and a shared counter (a database row or Redis key) would cost a round trip on
every request, the attacker's included. With ``EDI_GATEWAY_WEB_WORKERS`` processes an
address gets at most that many times the limit in a window before every process has
shut it out; the number of processes is small and known, so the bound still holds.
"""
from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field

# The disposition of an MDN we answered with: an error or a failure refuses the message.
# A signed MDN keeps its report part in the clear, so the answer's bytes say it.
_NEGATIVE_MDN = re.compile(rb"(?im)^disposition:[^\r\n]*;\s*(?:processed/error|failed)")


def is_refusal(status: int, body: bytes) -> bool:
    """Did we refuse the request: a 4xx (except our own 429), or a 200 carrying a negative MDN?"""
    if status == 429:
        return False
    if 400 <= status < 500:
        return True
    return status == 200 and _NEGATIVE_MDN.search(body) is not None


@dataclass
class RefusalCounter:
    """Refusals per address in a fixed window that opens at the address's first refusal.

    ``max_addresses`` bounds the memory a sender with many addresses can take: past it,
    expired windows go first, then the oldest.
    """

    limit: int
    window_seconds: float
    max_addresses: int = 10_000
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)  # address -> (opened, refusals)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, address: str, now: float) -> int | None:
        """Whole seconds ``address`` must wait before it is served again, or None to serve it."""
        with self._lock:
            window = self._windows.get(address)
            if window is None or now - window[0] >= self.window_seconds or window[1] < self.limit:
                return None
            return max(1, math.ceil(window[0] + self.window_seconds - now))

    def count_refusal(self, address: str, now: float) -> None:
        with self._lock:
            opened, refusals = self._windows.get(address, (now, 0))
            if now - opened >= self.window_seconds:
                opened, refusals = now, 0
            self._windows.pop(address, None)  # re-inserted last: the dict stays oldest first
            self._windows[address] = (opened, refusals + 1)
            if len(self._windows) > self.max_addresses:
                self._forget(now)

    def _forget(self, now: float) -> None:
        for address, (opened, _) in list(self._windows.items()):
            if now - opened >= self.window_seconds:
                del self._windows[address]
        while len(self._windows) > self.max_addresses:
            del self._windows[next(iter(self._windows))]
