"""A reference Inventory Management System: the IMS side of docs/ims-api.yaml.

A small standalone service with its own SQLite database, used as the default IMS by
``make run`` and by tests over real HTTP. It keeps stock per SKU and location, honours
quantities reserved for other channels, allocates stock to sales orders when they are
created and whenever stock or orders change, and can tell the gateway when an order's
allocation changes. It is a test and demo double, not an IMS to run a business on.
"""
from reference_ims.app import create_app

__all__ = ["create_app"]
