"""The oscrypto import hook: needed on this machine, working, and a precise change."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.transport.as2.compat import (
    BROKEN_VERSION_REGEX,
    FIXED_VERSION_REGEX,
    OscryptoVersionFinder,
    fix_version_regex,
)
from tests.fixtures import REPOSITORY

MODULE = "oscrypto._openssl._libcrypto_cffi"


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter, so that nothing imported by the test run helps or hides."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPOSITORY, timeout=60)


@pytest.mark.slow
def test_pyas2lib_imports_through_gateway_as2_in_a_fresh_interpreter():
    origin = importlib.util.find_spec(MODULE).origin
    # pip compiled the unpatched module at install time; the hook must not load that.
    assert Path(importlib.util.cache_from_source(origin)).exists()

    result = run_python(
        "import gateway.transport.as2, pyas2lib\n"
        "from oscrypto._openssl._libcrypto import libcrypto_version_info\n"
        "print(pyas2lib.__version__, libcrypto_version_info)"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1.4.4 (")


@pytest.mark.slow
def test_plain_pyas2lib_import_still_needs_the_hook():
    result = run_python("import pyas2lib")

    assert result.returncode != 0, (
        "`import pyas2lib` works without gateway.transport.as2.compat: oscrypto detects this "
        "libcrypto by itself now. Delete gateway/transport/as2/compat.py, its install call in "
        "gateway/as2/__init__.py, and this test."
    )
    assert "Error detecting the version of libcrypto" in result.stderr


def test_the_fixed_regex_reads_two_digit_patch_releases_and_letter_releases():
    broken = ast.literal_eval(BROKEN_VERSION_REGEX.decode())
    fixed = ast.literal_eval(FIXED_VERSION_REGEX.decode())

    assert re.search(broken, "OpenSSL 3.0.19 27 Jan 2026") is None
    assert re.search(fixed, "OpenSSL 3.0.19 27 Jan 2026").group(1) == "3.0.19"
    assert re.search(fixed, "OpenSSL 1.1.1w  11 Sep 2023").group(1) == "1.1.1w"
    assert re.search(fixed, "OpenSSL 3.0.2 15 Mar 2022").group(1) == "3.0.2"


def test_the_transformation_changes_only_the_version_regex_line():
    source = Path(importlib.util.find_spec(MODULE).origin).read_bytes()

    fixed = fix_version_regex(source)

    changed = [(old, new) for old, new in zip(source.splitlines(), fixed.splitlines())
               if old != new]
    assert len(source.splitlines()) == len(fixed.splitlines())
    assert changed == [(
        b"version_match = re.search(" + BROKEN_VERSION_REGEX + b", version_string)",
        b"version_match = re.search(" + FIXED_VERSION_REGEX + b", version_string)",
    )]


def test_the_transformation_leaves_a_fixed_source_alone():
    source = b"version_match = re.search(" + FIXED_VERSION_REGEX + b", version_string)\n"

    assert fix_version_regex(source) == source


def write_module(directory: Path, regex: bytes) -> None:
    (directory / "_libcrypto_cffi.py").write_bytes(
        b"import re\nversion_match = re.search(" + regex + b", 'OpenSSL 3.0.19 27 Jan 2026')\n"
    )


def test_the_finder_loads_the_corrected_source(tmp_path: Path):
    write_module(tmp_path, BROKEN_VERSION_REGEX)

    spec = OscryptoVersionFinder().find_spec(MODULE, [str(tmp_path)])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    assert module.version_match.group(1) == "3.0.19"


def test_the_finder_steps_aside_for_a_fixed_oscrypto_and_other_modules(tmp_path: Path):
    write_module(tmp_path, FIXED_VERSION_REGEX)

    assert OscryptoVersionFinder().find_spec(MODULE, [str(tmp_path)]) is None
    assert OscryptoVersionFinder().find_spec("oscrypto._openssl.util", None) is None
    assert os.path.exists(tmp_path / "_libcrypto_cffi.py")
