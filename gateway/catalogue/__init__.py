"""The catalogue: Amazon identifier (ASIN, EAN, UPC, ISBN, vendor item) -> IMS SKU, with
unit cost, case pack, critical and discontinued flags; imported and exported as CSV.

May import ``gateway.platform`` and ``gateway.models``.
"""
