"""The 846 inventory feed: the IMS's stock in, availability out, zeros held for people.

Owns what the IMS reports of its stock (``stock``: pushed or pulled snapshots and updates,
stale ones ignored, truncated snapshots held whole), available to promise per SKU and
ship-from (``availability``, pure), the zero-stock guard (``guard``, pure) and its holds
(``holds``), the feeds themselves (``feeds``: planned as batches, sent through the
exchange seam at the partner's rate, ``rate`` being the pure token bucket), and the drift
between what Amazon believes and what the IMS holds (``drift``).

May import orders (open POs for the drift report), exchange, catalogue, ims, partners,
operations and platform; business code reaches the 846 map only through
``gateway.exchange.outbound.send_document``.
"""
