"""`make security`: bandit over our code and pip-audit over the installed dependencies.

Exit codes, so that CI and a person can tell them apart:
  0  both scans ran and found nothing new (findings in .ci/security-baseline.toml are accepted)
  1  a new finding: a bandit issue of medium or high severity, or a known vulnerability in an
     installed package, that the baseline does not accept (listed on stderr)
  3  the dependency audit did not run: pip-audit could not reach its vulnerability database
     (no network, or the index it reached has no vulnerability data), so nothing is known
     about the dependencies. This is never a pass. On a machine that cannot reach PyPI, a
     person may accept that for one run with SECURITY_AUDIT_OFFLINE=accept: the run then
     says NOT AUDITED on stderr and exits 0 if bandit found nothing new.
  2  the baseline file is malformed (an entry without a reason, an unknown key)

Why not pip-audit's own exit code: with no vulnerability data pip-audit marks every package
"could not be audited", prints "No known vulnerabilities found" and exits 0.

Why medium as well as high for bandit: every medium finding in gateway/, workers/, edi_maps/
and reference_ims/ is fixed or justified inline (`# nosec BXXX` with a comment saying why),
so a new one is a decision someone must make, not noise.
"""
from __future__ import annotations

import json
import os
import subprocess  # nosec B404 -- runs our own scanners with fixed arguments
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".ci" / "security-baseline.toml"
SOURCES = ["gateway", "workers", "edi_maps", "reference_ims"]
BIN = Path(sys.executable).parent
FINDINGS, MALFORMED, NOT_AUDITED = 1, 2, 3


def load_baseline() -> tuple[list[dict], list[dict]]:
    """Accepted bandit findings (test_id + path) and vulnerabilities (id); each must say why."""
    document = tomllib.loads(BASELINE.read_text())
    shapes = {"bandit": {"test_id", "path", "reason"}, "vulnerability": {"id", "package", "reason"}}
    for kind, keys in shapes.items():
        for entry in document.get(kind, []):
            if set(entry) != keys or not str(entry.get("reason", "")).strip():
                print(f"security: {BASELINE.name}: [[{kind}]] {entry} needs exactly {sorted(keys)}, "
                      "with a reason", file=sys.stderr)
                sys.exit(MALFORMED)
    return document.get("bandit", []), document.get("vulnerability", [])


def run_bandit(accepted: list[dict]) -> int:
    """bandit at medium severity and above; `# nosec BXXX` lines are honoured, the baseline by test and file."""
    completed = subprocess.run(  # nosec B603 -- fixed arguments, our own virtualenv's bandit
        [str(BIN / "bandit"), "-r", *SOURCES, "-f", "json", "-q", "--severity-level", "medium"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    try:
        results = json.loads(completed.stdout)["results"]
    except (json.JSONDecodeError, KeyError):
        print(f"security: bandit did not run:\n{completed.stderr}", file=sys.stderr)
        return FINDINGS
    new = [result for result in results
           if not any(entry["test_id"] == result["test_id"] and entry["path"] == result["filename"]
                      for entry in accepted)]
    for result in new:
        print(f"security: bandit {result['test_id']} ({result['issue_severity'].lower()}) "
              f"{result['filename']}:{result['line_number']}: {result['issue_text']}", file=sys.stderr)
    print(f"security: bandit: {len(results)} medium/high finding(s), {len(new)} not in the baseline")
    return FINDINGS if new else 0


def run_audit(accepted: list[dict]) -> int:
    """pip-audit over this virtualenv (the pinned dependencies as installed, test tools included)."""
    completed = subprocess.run(  # nosec B603 -- fixed arguments, our own virtualenv's pip-audit
        [str(BIN / "pip-audit"), "--format", "json", "--progress-spinner", "off", "--skip-editable"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=900)
    try:
        dependencies = json.loads(completed.stdout)["dependencies"]
    except (json.JSONDecodeError, KeyError):
        last = completed.stderr.strip().splitlines()[-1:] or ["(no output)"]
        return not_audited(f"pip-audit failed before reporting: {last[0]}")
    audited = [dependency for dependency in dependencies if "skip_reason" not in dependency]
    skipped = [dependency for dependency in dependencies if "skip_reason" in dependency]
    accepted_ids = {entry["id"] for entry in accepted}
    new = [(dependency, vulnerability) for dependency in audited for vulnerability in dependency.get("vulns", [])
           if not ({vulnerability["id"], *vulnerability.get("aliases", [])} & accepted_ids)]
    for dependency, vulnerability in new:
        fixed = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed release yet"
        print(f"security: {dependency['name']} {dependency['version']}: {vulnerability['id']} "
              f"(fixed in {fixed})", file=sys.stderr)
    print(f"security: pip-audit: {len(audited)} package(s) audited, {len(skipped)} not audited, "
          f"{len(new)} vulnerability(ies) not in the baseline")
    if new:
        return FINDINGS
    if skipped:
        example = skipped[0]["skip_reason"]
        return not_audited(f"{len(skipped)} of {len(dependencies)} package(s) could not be audited "
                           f"(first: {example})")
    return 0


def not_audited(why: str) -> int:
    print(f"security: NOT AUDITED: the dependency audit did not run: {why}. This is not a pass.",
          file=sys.stderr)
    if os.environ.get("SECURITY_AUDIT_OFFLINE") == "accept":
        print("security: NOT AUDITED, accepted for this run by SECURITY_AUDIT_OFFLINE=accept", file=sys.stderr)
        return 0
    print("security: run it where PyPI's JSON API (pypi.org/pypi/<name>/<version>/json) is reachable, "
          "or set SECURITY_AUDIT_OFFLINE=accept to accept an unaudited run knowingly", file=sys.stderr)
    return NOT_AUDITED


def main(argv: list[str]) -> int:
    accepted_bandit, accepted_vulnerabilities = load_baseline()
    which = argv[0] if argv else "all"
    codes = []
    if which in ("all", "bandit"):
        codes.append(run_bandit(accepted_bandit))
    if which in ("all", "audit"):
        codes.append(run_audit(accepted_vulnerabilities))
    # A finding outranks "not audited": both are failures, the finding is the one to act on.
    return FINDINGS if FINDINGS in codes else max(codes, default=0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
