"""Available to promise: what Amazon may be offered of one SKU at one ship-from. Pure.

The IMS reports what is on hand, what is reserved for other channels and what is
allocated to open orders; a safety stock (the catalogue's for the SKU, else the partner's
default) is kept back so that a count that is a little off never promises what is not
there. A discontinued SKU offers nothing.
"""
from __future__ import annotations


def available_to_promise(on_hand: int, reserved: int, allocated: int, safety_stock: int, *,
                         discontinued: bool = False) -> int:
    """on_hand - reserved - allocated - safety_stock, never below zero; 0 when discontinued."""
    if discontinued:
        return 0
    return max(0, on_hand - reserved - allocated - safety_stock)
