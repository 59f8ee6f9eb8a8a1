"""Purchase orders: 850 intake, 860 changes, each line's cost against the catalogue's
(``line_costs``, pure), what the IMS allocated, each 855 line's outcome (``line_outcomes``,
pure), the 855 and its deadlines, and the read model ops and the API see.

``status`` owns every change of a PO's status. May import ``gateway.exchange`` (to send
documents), ``gateway.catalogue``, ``gateway.ims``, ``gateway.partners``,
``gateway.operations``, ``gateway.platform``, ``gateway.models``, ``edi_maps``; never a
transport.
"""
