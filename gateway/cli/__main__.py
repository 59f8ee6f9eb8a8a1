"""``python -m gateway.cli``: the same as the ``edi-gateway`` command."""
from gateway.cli.main import main

main()
