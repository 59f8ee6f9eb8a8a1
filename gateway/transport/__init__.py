"""Bytes on the wire: one sub-package per transport (``as2`` today, Amazon's SP-API later).

A transport receives, stores and sends messages and their receipts; it never reads a
business document. May import ``gateway.platform``, ``gateway.partners``,
``gateway.operations``, ``gateway.models``; never ``exchange`` or business packages.
"""
