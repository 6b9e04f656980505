"""pip-audit on the locked requirements and on the environment installed from them.

Fails on any known vulnerability. When the advisory database cannot be reached (no network to it
from this machine), pip-audit marks every package "could not be audited" and would still print "No
known vulnerabilities found"; this says plainly that nothing was audited and lets CI continue, and
only in that case.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = ROOT / ".venv" / "bin" / "pip-audit"
RUNS = {
    "locked requirements (requirements.txt, requirements-dev.txt)": [
        "-r",
        "requirements.txt",
        "-r",
        "requirements-dev.txt",
        "--no-deps",
        "--disable-pip",
    ],
    "installed environment (with transitive dependencies)": ["--local", "--skip-editable"],
}
UNREACHABLE = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "Temporary failure in name resolution")


def audit(label: str, args: list[str]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        result = subprocess.run(  # noqa: S603
            [str(PIP_AUDIT), "--progress-spinner", "off", *args, "-f", "json", "-o", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        report = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
    if report is None:
        if any(marker in result.stderr for marker in UNREACHABLE):
            print(f"pip-audit [{label}]: ADVISORY DATABASE UNREACHABLE - NOT AUDITED")
            return "unreachable"
        print(result.stderr[-3000:], file=sys.stderr)
        print(f"pip-audit [{label}]: failed (exit {result.returncode})")
        return "failed"
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"  VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in: {fixes})")
    if vulnerable:
        print(f"pip-audit [{label}]: {len(vulnerable)} vulnerable package(s)")
        return "failed"
    if dependencies and audited == 0:
        print(
            f"pip-audit [{label}]: ADVISORY DATABASE UNREACHABLE - NOT AUDITED "
            f"(all {len(skipped)} packages: {skipped[0]['skip_reason']})"
        )
        return "unreachable"
    if skipped:
        print(f"pip-audit [{label}]: {len(skipped)} package(s) could not be audited:")
        for dependency in skipped:
            print(f"  {dependency['skip_reason']}")
    print(f"pip-audit [{label}]: {audited} packages audited, no known vulnerabilities")
    return "ok"


def main() -> int:
    outcomes = [audit(label, args) for label, args in RUNS.items()]
    if "failed" in outcomes:
        return 1
    if "unreachable" in outcomes:
        print("pip-audit: WARNING - the dependencies were NOT checked against the advisory database on this run;")
        print("pip-audit: continuing only because the database could not be reached from this machine.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
