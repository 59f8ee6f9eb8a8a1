"""Invoices (issue 16): what is billed to Amazon for what shipped, at the cost acknowledged.

Owns the checks of an invoice before an 810 is sent (quantities against shipped minus
already invoiced, unit costs against the 855, dates, totals, currency), the invoices the
IMS posts and those the gateway makes from a delivered ASN when the partner's profile asks,
the watch for goods shipped and not invoiced, and what finance reads of an invoice. It sits
above ``gateway.shipping`` (an invoice bills what shipped) and reaches the retailer's maps
and the transports only through ``gateway.exchange``.
"""
