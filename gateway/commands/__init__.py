"""Sub-command groups of ``edi-gateway``, one module per concern."""
