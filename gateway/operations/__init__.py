"""What operations see and are told: the exception queue (one row per problem, with its
severity, owner and notes), alert digests by e-mail and webhook, Prometheus metrics.

May import ``gateway.platform`` and ``gateway.models``; every other package records its
problems here.
"""
