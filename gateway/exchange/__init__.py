"""The seam between business code and the wire.

Owns X12 envelopes and control numbers, the 997 tracker (groups and sets sent and
received), the inbound dispatch (validate, 997/TA1, translate, hand each document to the
service ``gateway.routing`` names), and ``send_document``: business code hands a
canonical document for a partner, and the partner's profile picks the retailer's maps
(Amazon today) and the transport (AS2 today).
May import ``gateway.transport``, ``gateway.partners``, ``gateway.operations``,
``gateway.platform``, ``gateway.models`` and ``edi_maps``; never business packages.
"""
