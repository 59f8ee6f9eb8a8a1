"""AS2 (RFC 4130): bytes on the wire between us and a partner, and their receipts (MDNs).

Owns: the protocol core (``protocol``, ``unwrap``: pyas2lib's MIME and CMS work, pure, no
I/O), receiving (``receiver``: store first, then answer the MDN), sending (``sender``:
build once, POST until a verified MDN), the AS2 profiles built from partner rows
(``profiles``), and the oscrypto fix (``compat``).
May import: ``gateway.platform``, ``gateway.partners``, ``gateway.operations``,
``gateway.models``. Never business code (orders, shipping...): documents reach a
transport only through ``gateway.exchange``.

pyas2lib must only be imported through this package: the import hook installed on the
next line makes its pinned oscrypto load on OpenSSL 3.0.10+ (see ``compat.py``), and has to
be in place before anything imports pyas2lib.
"""

from gateway.transport.as2.compat import install_oscrypto_version_fix

install_oscrypto_version_fix()
