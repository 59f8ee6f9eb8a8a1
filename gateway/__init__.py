"""The EDI gateway service: one package per concern, dependencies pointing one way.

From the top down (each may import those below it, never those above):

- ``web``, ``cli`` (and the Celery app in ``workers/``): entry points, leaves nobody imports;
- ``routing``: which business service takes each inbound document (the composition root);
- ``recovery``: owed work queued again (the beat sweep, an operator's replay);
- ``orders`` (850/860 intake, allocation, line outcomes, the 855 and its deadlines), later
  ``shipping``, ``invoicing``, ``inventory``, ``finance``: the business;
- ``exchange``: the seam between business and the wire: X12 envelopes, control numbers,
  the 997 tracker, inbound dispatch, and ``send_document``;
- ``transport``: bytes on the wire (``as2`` today);
- ``partners``, ``catalogue``, ``ims``, ``access``, ``sandbox``: who we trade with and what we map;
- ``operations``: the exception queue, alerts, metrics;
- ``platform``: settings, database, logging, task queue, TLS, blobs, the audit trail;
- ``models`` (the tables) and ``edi_maps`` (pure translation, outside this package).

``docs/architecture.md`` draws it; import-linter contracts in ``pyproject.toml`` hold it.
"""
