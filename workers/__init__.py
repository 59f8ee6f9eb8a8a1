"""The Celery side: the app (``celery_app``), thin task wrappers around gateway services
(``tasks``; their names never change, so queued tasks survive an upgrade) and the beat
schedule (``schedule``). A leaf: nothing in ``gateway`` imports it; the gateway queues
tasks by name.
"""
