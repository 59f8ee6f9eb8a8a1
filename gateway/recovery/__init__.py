"""Owed work queued again: the beat sweep for stored work whose task never ran, and an
operator's replay of the step an exception says failed.

Sits above the business packages because it puts their entities back into a state their
tasks can take up; it queues tasks by name and imports no ``workers`` code.
"""
