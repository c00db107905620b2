"""A Plotly bundle with only the trace types the dashboard draws, served in place of the full one.

Dash sends the whole of plotly.js (4.8 MB; 1.11 MB as brotli) to every first visitor, though the
dashboard draws four trace types. ``python -m dashboard build-plotly`` builds Plotly's own
modules for those four (``tools/plotly``: plotly.js from npm, the version the installed Plotly
for Python expects, bundled by esbuild) into ``instance/plotly``; the server then answers Dash's
request for plotly.min.js with it (3.0 MB; 0.68 MB as brotli). It needs Node.js and npm once,
at build time; without a bundle the full plotly.min.js is served as before, so nothing depends
on it. The bundle is named by the plotly.js version, so after an upgrade of Plotly for Python an
old bundle is simply not used until it is built again.
"""

from __future__ import annotations

import re
import shutil
import subprocess  # nosec B404 (only npm and node, with arguments fixed here)
import tempfile
from pathlib import Path

from dashboard.atomic import write_atomically
from dashboard.config import INSTANCE, ROOT
from dashboard.errors import DashboardError

FOLDER = INSTANCE / "plotly"
TOOLS = ROOT / "tools" / "plotly"
# The trace types the dashboard draws; tools/plotly/entry.js registers the same.
TRACES = ("choroplethmap", "scattermap", "bar", "heatmap")
ESBUILD = "0.28.2"
# Dash's request for the full Plotly, fingerprinted (script tags) or not (the graph's lazy load).
FULL_PLOTLY = re.compile(r"/_dash-component-suites/plotly/package_data/plotly"
                         r"(\.v[0-9a-z_]+m[0-9]+)?\.min\.js$")


class BundleError(DashboardError):
    """The bundle could not be built."""


def plotly_js_version() -> str:
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


def bundle_path(folder: Path | None = None) -> Path:
    """Where the bundle for the installed Plotly's version is (or would be) kept."""
    return Path(folder or FOLDER) / f"plotly-{plotly_js_version()}-dashboard.min.js"


def build(folder: Path | None = None) -> Path:
    """Build the bundle into ``folder`` (replacing any earlier one); returns its path."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not (npm and node):
        raise BundleError("Building the Plotly bundle needs Node.js and npm (e.g. `apt install "
                          "nodejs npm`). The dashboard works without it, sending the full "
                          "Plotly.")
    if not (TOOLS / "entry.js").is_file():
        raise BundleError(f"The bundle's recipe is not here ({TOOLS}); build it from the "
                          "project's source checkout.")
    out = bundle_path(folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plotly-build-") as tmp:
        for name in ("entry.js", "build.mjs"):
            shutil.copy(TOOLS / name, Path(tmp) / name)
        (Path(tmp) / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        _run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts",
              f"plotly.js@{plotly_js_version()}", f"esbuild@{ESBUILD}"], tmp)
        built = Path(tmp) / out.name
        _run([node, "build.mjs", str(built)], tmp)
        code = built.read_bytes()
        check(code)
        write_atomically(out, code)
    return out


def _run(command: list[str], cwd: str) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True,  # nosec B603
                          timeout=900)
    if done.returncode:
        raise BundleError(f"`{Path(command[0]).name} {' '.join(command[1:3])}` failed:\n"
                          f"{done.stderr[-2000:]}")


def check(code: bytes) -> None:
    """Refuse a bundle that is not a whole Plotly with every trace type the dashboard draws."""
    missing = [t for t in TRACES if f'"{t}"'.encode() not in code]
    if len(code) < 500_000 or missing or b"Plotly" not in code:
        raise BundleError("The built Plotly bundle is incomplete"
                          + (f" (no {', '.join(missing)})" if missing else "") + ".")


def attach(server, folder: Path | None = None) -> Path | None:
    """Answer Dash's request for the full Plotly with the bundle, when one is built for this
    Plotly version; returns the bundle's path, or None when the full Plotly is served."""
    path = bundle_path(folder)
    if not path.is_file():
        return None
    import hashlib

    from flask import Response, request

    # Kept in memory and answered as Dash answers its own files, so the usual compression
    # (and the brotli copies of dashboard.precompressed) apply to it too.
    code = path.read_bytes()
    tag = hashlib.sha256(code).hexdigest()[:32]

    @server.before_request
    def partial_plotly():
        found = FULL_PLOTLY.search(request.path) if request.method == "GET" else None
        if found is None:
            return None
        response = Response(code, mimetype="application/javascript")
        response.set_etag(tag)
        if found.group(1):  # as Dash does: a fingerprinted address never changes
            response.cache_control.public = True
            response.cache_control.max_age = 31_536_000
        return response.make_conditional(request)

    return path
