"""What beat runs and how often. Each entry names a task in ``workers.tasks``."""
from __future__ import annotations


def beat_schedule() -> dict:
    return {
        "heartbeat": {"task": "workers.tasks.heartbeat", "schedule": 300.0, "kwargs": {"source": "beat"}},
    }
