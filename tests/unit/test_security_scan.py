"""`make security` (.ci/security.py) fails on a new finding and on an audit that did not run.

The scanners are replaced by their JSON output here: what is under test is the decision
(pass, finding, not audited), which pip-audit's own exit code gets wrong offline.
"""
import importlib.util
import json
import subprocess

import pytest

from tests.fixtures import REPOSITORY

spec = importlib.util.spec_from_file_location("ci_security", REPOSITORY / ".ci" / "security.py")
security = importlib.util.module_from_spec(spec)
spec.loader.exec_module(security)

VULNERABLE = {"name": "requests", "version": "2.19.0",
              "vulns": [{"id": "PYSEC-2018-28", "aliases": ["CVE-2018-18074"], "fix_versions": ["2.20.0"]}]}
CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
SKIPPED = {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)"}
MEDIUM = {"test_id": "B104", "filename": "gateway/example.py", "issue_severity": "MEDIUM", "line_number": 3,
          "issue_text": "Possible binding to all interfaces."}


@pytest.fixture
def scanners(monkeypatch):
    """Set ``scanners["bandit"]`` / ``scanners["pip-audit"]`` to the report each scanner prints."""
    reports: dict = {"bandit": {"results": []}, "pip-audit": {"dependencies": [CLEAN]}}

    def run(arguments, **options):
        name = arguments[0].rsplit("/", 1)[-1]
        report = reports[name]
        return subprocess.CompletedProcess(arguments, 0, report if isinstance(report, str) else json.dumps(report), "")
    monkeypatch.setattr(security.subprocess, "run", run)
    monkeypatch.delenv("SECURITY_AUDIT_OFFLINE", raising=False)
    return reports


def test_clean_scans_pass(scanners):
    assert security.main([]) == 0


def test_a_known_vulnerability_fails_unless_the_baseline_accepts_it_by_id_or_alias(scanners, capsys):
    scanners["pip-audit"] = {"dependencies": [CLEAN, VULNERABLE]}
    assert security.run_audit([]) == security.FINDINGS
    assert "requests 2.19.0: PYSEC-2018-28 (fixed in 2.20.0)" in capsys.readouterr().err
    accepted = [{"id": "CVE-2018-18074", "package": "requests", "reason": "test"}]
    assert security.run_audit(accepted) == 0


def test_an_audit_that_reached_no_vulnerability_data_is_not_a_pass(scanners, capsys, monkeypatch):
    """Offline, pip-audit skips every package and says "No known vulnerabilities found"."""
    scanners["pip-audit"] = {"dependencies": [CLEAN, SKIPPED]}
    assert security.main(["audit"]) == security.NOT_AUDITED
    assert "NOT AUDITED" in capsys.readouterr().err
    scanners["pip-audit"] = "Traceback ... ConnectionError: api.osv.dev"
    assert security.main(["audit"]) == security.NOT_AUDITED
    monkeypatch.setenv("SECURITY_AUDIT_OFFLINE", "accept")
    assert security.main(["audit"]) == 0
    assert "NOT AUDITED, accepted for this run" in capsys.readouterr().err


def test_a_vulnerability_outranks_the_packages_that_were_not_audited(scanners):
    scanners["pip-audit"] = {"dependencies": [VULNERABLE, SKIPPED]}
    assert security.main(["audit"]) == security.FINDINGS


def test_a_new_bandit_finding_fails_unless_the_baseline_names_its_test_and_file(scanners, capsys):
    scanners["bandit"] = {"results": [MEDIUM]}
    assert security.main(["bandit"]) == security.FINDINGS
    assert "bandit B104 (medium) gateway/example.py:3" in capsys.readouterr().err
    assert security.run_bandit([{"test_id": "B104", "path": "gateway/example.py", "reason": "test"}]) == 0
    assert security.run_bandit([{"test_id": "B104", "path": "gateway/other.py", "reason": "test"}]) == security.FINDINGS


def test_the_committed_baseline_gives_a_reason_for_every_entry():
    bandit, vulnerabilities = security.load_baseline()
    assert all(entry["reason"].strip() for entry in [*bandit, *vulnerabilities])
