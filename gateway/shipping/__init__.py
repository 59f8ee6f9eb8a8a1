"""Ship notices (issue 15): what the warehouse packed, checked, labelled and told Amazon.

Owns the checks of a shipment before anything is sent (SSCC-18 check digits with biip,
quantities in the PO's unit, ship-to, BOL, SCAC), the GS1-128 carton and pallet labels,
the warehouses a shipment ships from, and the 856 built from confirmed pack data. It sits
above ``gateway.orders`` (a shipment is checked against its POs' lines) and reaches the
retailer's maps and the transports only through ``gateway.exchange``.

Built so far: see the modules; the 856 and the shipments API are still to come.
"""
