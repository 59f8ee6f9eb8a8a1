"""The ``edi-gateway`` command: ``main`` and one module of sub-commands per concern.

A leaf: nothing imports it. Errors end the program with one line and exit code 2.
"""
from gateway.cli.main import main

__all__ = ["main"]
