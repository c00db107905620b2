"""Dependency audit for CI: pip-audit, with a fallback for registries that hide its lookups.

pip-audit asks PyPI for each installed version's advisories (``/pypi/<name>/<version>/json``).
Where that is blocked (this project's CI reaches PyPI only through a mirror that serves the
project-level JSON alone), a package pip-audit skipped is checked against the advisories PyPI
lists for the project's latest release, which are exact when the installed version is that
release. Any advisory fails the run unless ``audit-ignore.toml`` explains it; packages that could
not be checked either way are listed by name, never passed silently.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404
import sys
import urllib.request
from importlib import metadata
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PYPI = "https://pypi.org/pypi/{}/json"
IGNORE = Path(__file__).with_name("audit-ignore.toml")
OURS = "place-alignment-dashboard"  # this project, installed from its own folder


def pip_audit() -> dict:
    command = [sys.executable, "-m", "pip_audit", "-f", "json", "--progress-spinner", "off"]
    run = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603
    if not run.stdout.strip():
        sys.exit(f"pip-audit did not run: {run.stderr.strip()[-500:]}")
    return json.loads(run.stdout)


def latest_release_advisories(name: str) -> tuple[str, list] | None:
    try:
        with urllib.request.urlopen(PYPI.format(name), timeout=30) as response:  # nosec B310
            data = json.load(response)
    except OSError:
        return None
    return data["info"]["version"], data.get("vulnerabilities") or []


def main() -> int:
    ignored = tomllib.loads(IGNORE.read_text())["ignore"] if IGNORE.exists() else {}
    report = pip_audit()
    findings, checked_by, unchecked = [], {"pip-audit": 0, "latest-release advisories": 0}, []
    for dep in report["dependencies"]:
        name = dep["name"]
        if name == OURS:
            continue
        if "skip_reason" not in dep:
            checked_by["pip-audit"] += 1
            findings += [(name, dep["version"], v["id"], v.get("fix_versions")) for v in dep["vulns"]]
            continue
        if "not found on PyPI" not in dep["skip_reason"]:
            unchecked.append(f"{name}: {dep['skip_reason']}")
            continue
        installed = metadata.version(name)
        found = latest_release_advisories(name)
        if found is None:
            unchecked.append(f"{name} {installed}: PyPI did not answer")
        elif found[0] != installed:
            unchecked.append(f"{name} {installed}: not the latest release ({found[0]}), whose "
                             "advisories are the only ones the mirror serves")
        else:
            checked_by["latest-release advisories"] += 1
            findings += [(name, installed, v["id"], v.get("fixed_in")) for v in found[1]]
    print("Dependency audit: " + ", ".join(f"{n} checked by {k}" for k, n in checked_by.items()))
    for line in unchecked:
        print(f"  not checked: {line}")
    unexplained = [f for f in findings if f[2] not in ignored]
    for name, version, vuln, fixed in findings:
        note = f"explained: {ignored[vuln]}" if vuln in ignored else f"fixed in {fixed}"
        print(f"  {vuln}: {name} {version} ({note})")
    print(f"{len(findings)} advisories, {len(unexplained)} unexplained.")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
