"""The customer's Inventory Management System as we reach it: the REST client of
``docs/ims-api.yaml`` (sales orders), with retries, timeouts and its two errors.

May import ``gateway.platform`` only: what the IMS answers is stored by the business
packages that asked.
"""
