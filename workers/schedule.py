"""What beat runs and how often. Each entry names a task in ``workers.tasks``."""
from __future__ import annotations


def beat_schedule() -> dict:
    return {
        "heartbeat": {"task": "workers.tasks.heartbeat", "schedule": 300.0, "kwargs": {"source": "beat"}},
        "requeue-stalled-work": {"task": "workers.tasks.requeue_stalled_work", "schedule": 120.0},
        "requeue-stalled-sales-orders": {"task": "workers.tasks.requeue_stalled_sales_orders", "schedule": 120.0},
        "ack-deadlines": {"task": "workers.tasks.watch_ack_deadlines", "schedule": 300.0},
        # Every minute: the 856 is due 30 minutes after the truck leaves.
        "ship-notices": {"task": "workers.tasks.watch_ship_notices", "schedule": 60.0},
        # Automatic invoices follow a delivered 856 within minutes; the uninvoiced watch counts days.
        "automatic-invoices": {"task": "workers.tasks.invoice_delivered_shipments", "schedule": 120.0},
        "uninvoiced": {"task": "workers.tasks.watch_uninvoiced", "schedule": 600.0},
        # Every minute: plans the 846 feeds as each partner's schedule says, and resumes any
        # feed a crash or the rate limit interrupted.
        "inventory-feeds": {"task": "workers.tasks.run_inventory_schedule", "schedule": 60.0},
        "stock-pull": {"task": "workers.tasks.pull_stock", "schedule": 60.0},
        "stock-drift": {"task": "workers.tasks.watch_stock_drift", "schedule": 24 * 3600.0},
        "overdue-invoices": {"task": "workers.tasks.watch_overdue_invoices", "schedule": 6 * 3600.0},
        "overdue-997s": {"task": "workers.tasks.raise_overdue_acks", "schedule": 600.0},
        "check-certificates": {"task": "workers.tasks.check_certificates", "schedule": 6 * 3600.0},
        "send-alerts": {"task": "workers.tasks.send_alerts", "schedule": 60.0},
    }
