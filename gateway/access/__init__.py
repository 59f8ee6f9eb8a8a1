"""Who may do what: people who sign in to the operations pages (ops, finance, admin) and
the REST API's bearer tokens (stored hashed), each with one role.

May import ``gateway.platform`` and ``gateway.models``.
"""
