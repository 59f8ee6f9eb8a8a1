"""Pure translation, no I/O: the X12 reader and writer (``x12``), validation against our
pyx12 maps (``validation``, ``pyx12_maps``), the canonical documents (``documents``), 997
and TA1 writing (``functional_ack``), what a refused interchange still carries (``salvage``)
and the retailers' maps (``amazon``).

Imports nothing of ``gateway``, ``workers`` or ``reference_ims``, and no database, HTTP or
queue library: a map is tested with a string in and a dataclass out.
"""
