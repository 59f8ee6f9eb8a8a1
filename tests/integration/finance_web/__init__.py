"""The finance pages, API and CLI: remittances, invoices by payment status, the month close."""
