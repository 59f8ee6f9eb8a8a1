"""Make oscrypto 1.3.0 (pinned by pyas2lib 1.4.4) importable on OpenSSL >= 3.0.10.

Why: oscrypto reads the libcrypto version with the regex ``\\b(\\d\\.\\d\\.\\d[a-z]*)\\b``,
which does not match a two-digit patch release such as "OpenSSL 3.0.19". Importing it
then raises ``LibraryNotFoundError: Error detecting the version of libcrypto``, and
with it every ``import pyas2lib``.

Upstream: wbond/oscrypto issue #75 ("Tests fail after openssl: 3.0.9 -> 3.0.10"), fixed
by pull request #76 / commit d5f3437ed24257895ae1edd9e503cfb352e635a8, which changes the
last ``\\d`` to ``\\d+`` in ``_libcrypto_cffi.py`` and ``_libcrypto_ctypes.py``. That fix
was never released to PyPI (issue #78 asks for a release).

How: an import hook compiles those two modules from their source with exactly that
regex corrected. Nothing on disk changes, so a fresh ``pip install`` works with no
manual step. pip writes .pyc files at install time, so the loader overrides ``get_code``
to compile the corrected source instead of loading the stale bytecode.

When to delete: as soon as an oscrypto release carrying the fix is pinned. The hook
already steps aside when the source no longer holds the old regex, and the test
``test_plain_pyas2lib_import_still_needs_the_hook`` fails once plain
``import pyas2lib`` works on its own: that is the signal to remove this module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import CodeType, ModuleType

# The modules holding the version regex, and the regex as written in their source.
PATCHED_MODULES = frozenset(
    {"oscrypto._openssl._libcrypto_cffi", "oscrypto._openssl._libcrypto_ctypes"}
)
BROKEN_VERSION_REGEX = rb"'\\b(\\d\\.\\d\\.\\d[a-z]*)\\b'"
FIXED_VERSION_REGEX = rb"'\\b(\\d\\.\\d\\.\\d+[a-z]*)\\b'"


def fix_version_regex(source: bytes) -> bytes:
    """Return ``source`` with oscrypto's libcrypto version regex accepting ``3.0.19``."""
    return source.replace(BROKEN_VERSION_REGEX, FIXED_VERSION_REGEX)


class _FixedSourceLoader(importlib.machinery.SourceFileLoader):
    """Loads a module from already-corrected source, ignoring any cached bytecode."""

    def __init__(self, fullname: str, path: str, fixed_source: bytes) -> None:
        super().__init__(fullname, path)
        self._fixed_source = fixed_source

    def get_code(self, fullname: str) -> CodeType:
        return compile(self._fixed_source, self.path, "exec", dont_inherit=True)


class OscryptoVersionFinder(importlib.abc.MetaPathFinder):
    """Routes the two oscrypto libcrypto modules through :class:`_FixedSourceLoader`."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in PATCHED_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if (spec is None or spec.origin is None
                or not isinstance(spec.loader, importlib.machinery.SourceFileLoader)):
            return None
        source = spec.loader.get_data(spec.origin)
        if BROKEN_VERSION_REGEX not in source:
            return None  # a fixed oscrypto: import it untouched
        spec.loader = _FixedSourceLoader(fullname, spec.origin, fix_version_regex(source))
        return spec


def install_oscrypto_version_fix() -> None:
    """Install the import hook once; must run before oscrypto's OpenSSL backend loads."""
    if not any(isinstance(finder, OscryptoVersionFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, OscryptoVersionFinder())
