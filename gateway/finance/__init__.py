"""Remittances: Amazon's 820 payments, reconciled against our invoices by invoice and PO number.

Owns what a remittance line's reference means (``references``, pure: an invoice paid, a
shortage claim and its reversal, a chargeback or price-protection debit note, a co-op
agreement invoice, a provision for receivables), the remittances taken in and their lines
matched to invoices (``remittances``), where each invoice's payment stands
(``payments``, pure), the watch for invoices unpaid past their terms (``watch``), and the
month-close report (``month_close``).

May import orders, exchange, partners, operations and platform; the invoice's own package
(invoicing) reads payments from here, so finance imports nothing of it.
"""
