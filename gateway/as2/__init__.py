"""AS2 (RFC 4130) protocol core (pyas2lib import fix).

pyas2lib does the MIME and CMS work. It must only be imported through this package: the
import hook installed on the next line makes its pinned oscrypto load on OpenSSL 3.0.10+
(see ``compat.py``), and has to be in place before anything imports pyas2lib.
"""

from gateway.as2.compat import install_oscrypto_version_fix

install_oscrypto_version_fix()
