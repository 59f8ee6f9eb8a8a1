"""The embedded broker (no server): kombu's filesystem transport, tuned for the gateway.

What kombu's own filesystem transport does that the gateway cannot use:
- it takes queues in turn, so bulk work (846 feeds) was as likely to go first as an 855;
- its worker sleeps a whole second whenever it finds nothing it may take, including each
  time its prefetch is full, which adds up to a second to a PO's step when the queue
  has just run dry;
- it moves each message it takes to the system's temporary folder, a copy when that is
  another file system, and may read a file a producer is still writing.

(Throughput is another matter: with the same worker processes a burst of POs goes as
fast on either transport; ``bench/README.md``.)

This transport keeps its files and names (``<arrival>_<uuid>.<queue>.msg`` in one folder,
the arrival in nanoseconds rather than milliseconds) and changes how they are written and
taken:
- a producer writes each message beside the queue folder and renames it in, so a consumer
  never sees half a message;
- a consumer lists the folder once per poll and takes the oldest message of the first
  queue that has one, in the order the worker consumes them
  (``gateway.platform.queue.worker_queues``): deadline-bound work goes before bulk work;
- it claims a message by renaming it into the claimed folder (only one worker wins the
  rename), reads it and deletes it;
- it polls every 50 ms (``Transport.polling_interval``); a listing of a small folder costs
  microseconds, so idle polling stays cheap.

The database stays the record of owed work: a message lost with a killed worker is queued
again by the stalled-work sweeps, as with kombu's transport.
"""
from __future__ import annotations

import os
import uuid
from functools import cached_property
from queue import Empty
from time import monotonic_ns
from typing import Any

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

# The URL scheme Celery is given for the embedded broker (settings keep "filesystem://").
SCHEME = "gateway-filesystem"


class Channel(filesystem.Channel):
    # kombu's filesystem Channel widens the base signature with **kwargs (publish passes
    # ``mandatory``); this keeps the filesystem Channel's.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Write the message beside the queue folder, then rename it in: it appears whole."""
        name = f"{monotonic_ns()}_{uuid.uuid4()}.{queue}.msg"  # ns: messages of one millisecond keep their order
        writing = os.path.join(self.writing_folder, name)
        with open(writing, "wb") as handle:
            handle.write(str_to_bytes(dumps(payload)))
        os.rename(writing, os.path.join(self.data_folder_out, name))

    def _get_many(self, queues: list[str], timeout: float | None = None) -> None:
        """Deliver the oldest message of the first of ``queues`` that has one; ``Empty`` if none."""
        waiting: dict[str, list[str]] = {}
        for name in os.listdir(self.data_folder_in):
            queue = queue_of(name)
            if queue is not None:
                waiting.setdefault(queue, []).append(name)
        for queue in queues:
            for name in sorted(waiting.get(queue, ()), key=arrival):
                payload = self._claim(name)
                if payload is not None:
                    self.connection._deliver(loads(bytes_to_str(payload)), queue)
                    return
        raise Empty()

    def _claim(self, name: str) -> bytes | None:
        """The message's bytes once this process has taken it; None when another worker did."""
        claimed = os.path.join(self.claimed_folder, name)
        try:
            os.rename(os.path.join(self.data_folder_in, name), claimed)
        except FileNotFoundError:
            return None
        with open(claimed, "rb") as handle:
            payload = handle.read()
        os.remove(claimed)
        return payload

    @cached_property
    def writing_folder(self) -> str:
        return self.transport_options["writing_folder"]

    @cached_property
    def claimed_folder(self) -> str:
        return self.transport_options["claimed_folder"]


def queue_of(name: str) -> str | None:
    """The queue a message file belongs to (``<ms>_<uuid>.<queue>.msg``); None for other files."""
    _, dot, rest = name.partition(".")
    return rest[:-4] if dot and rest.endswith(".msg") else None


def arrival(name: str) -> int:
    """When the message was written (the monotonic clock, shared by every process), for oldest first."""
    stamp = name.partition("_")[0]
    return int(stamp) if stamp.isdigit() else 0


class Transport(filesystem.Transport):
    Channel = Channel
    polling_interval = 0.05


TRANSPORT_ALIASES[SCHEME] = f"{__name__}:Transport"
