"""Who we trade with: our organisation, trading partners, their typed profiles, our keys and
their certificates (made, imported, watched for expiry).

May import ``gateway.platform``, ``gateway.operations``, ``gateway.models``.
"""
