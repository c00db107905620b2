"""A bounded load client for a running dashboard: simulated users that behave like browsers.

Each simulated user is one thread with its own HTTP session and its own copy of the page state,
like one browser tab. It loads pages the way Dash's renderer does: fetch a page's layout, fire
the callbacks whose inputs it holds, then fire the callbacks their outputs feed, sending every
input and state value in the request, as the browser does. So the server holds nothing per
user, and any worker can answer any request; a wrong or lost state shows up as an error.

Used by ``benchmarks/load.py`` (the full test) and by the short load and fault tests in CI.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
UPDATE = "/_dash-update-component"
ALERT = "app-alert"  # the app-wide alert a failed callback opens (dashboard.web.ids.APP_ALERT)


def _key(ident) -> str:
    """One string per component id; pattern-matching (dict) ids as sorted, compact JSON."""
    if isinstance(ident, str) and ident.startswith("{"):
        ident = json.loads(ident)
    return json.dumps(ident, sort_keys=True, separators=(",", ":")) if isinstance(ident, dict) \
        else ident


def _outputs(spec: str) -> list[tuple[str, str]]:
    """(id, property) of each output in a callback's output string."""
    parts = spec[2:-2].split("...") if spec.startswith("..") else [spec]
    pairs = []
    for part in parts:
        split = part.rindex("}.") + 1 if part.startswith("{") else part.rindex(".")
        pairs.append((part[:split], part[split + 1:]))
    return pairs


def _components(node, found: dict) -> None:
    """Every component with an id in a layout tree: id -> its props."""
    if isinstance(node, list):
        for item in node:
            _components(item, found)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and "type" in node:
            if "id" in props:
                found[_key(props["id"])] = dict(props)
            for value in props.values():
                _components(value, found)


class ServerError(Exception):
    """A response that a browser would show as a failure (already logged as an error)."""


class WrongAnswer(Exception):
    """A response that arrived but did not do what the user asked."""


@dataclass
class Browser:
    """One simulated browser tab: an HTTP session, the page state and a latency log."""

    base: str
    deps: list
    log: list = field(default_factory=list)  # (path, request kind, ms, ok)
    path: str = ""
    state: dict = field(default_factory=dict)
    http: requests.Session = field(default_factory=requests.Session)
    timeout: float = 60.0

    def __post_init__(self) -> None:
        self.server_callbacks = [cb for cb in self.deps if not cb.get("clientside_function")]
        self._shell: dict = {}  # the app frame's components, from /_dash-layout

    def _record(self, kind: str, start: float, ok: bool) -> None:
        self.log.append((self.path, kind, (time.perf_counter() - start) * 1000, ok))

    def get(self, url: str, kind: str) -> requests.Response:
        start = time.perf_counter()
        try:
            response = self.http.get(self.base + url, timeout=self.timeout)
            ok = response.status_code == 200
        except requests.RequestException as exc:
            self._record(kind, start, False)
            raise ServerError(f"GET {url}: {exc}") from None
        self._record(kind, start, ok)
        if not ok:
            raise ServerError(f"GET {url}: HTTP {response.status_code}")
        return response

    # -- callbacks, as Dash's renderer sends them -------------------------------------------
    def _matches(self, pattern: dict) -> list[str]:
        fixed = {k: v for k, v in pattern.items() if not isinstance(v, list)}
        return sorted(k for k in self.state if k.startswith("{")
                      and all(json.loads(k).get(a) == b for a, b in fixed.items()))

    def _arg(self, ident: str, prop: str):
        if ident.startswith("{"):
            return [{"id": json.loads(k), "property": prop, "value": self.state[k].get(prop)}
                    for k in self._matches(json.loads(ident))]
        return {"id": ident, "property": prop, "value": self.state.get(ident, {}).get(prop)}

    def _ready(self, cb: dict) -> bool:
        return all(_key(i["id"]) in self.state or i["id"].startswith("{") for i in cb["inputs"])

    def _body(self, cb: dict, changed: list[str]) -> dict:
        outputs = [[{"id": json.loads(k), "property": prop}
                    for k in self._matches(json.loads(ident))] if ident.startswith("{")
                   else {"id": ident, "property": prop} for ident, prop in _outputs(cb["output"])]
        return {"output": cb["output"],
                "outputs": outputs if cb["output"].startswith("..") else outputs[0],
                "inputs": [self._arg(i["id"], i["property"]) for i in cb["inputs"]],
                "state": [self._arg(s["id"], s["property"]) for s in cb["state"]],
                "changedPropIds": changed}

    def _post(self, kind: str, body: dict) -> dict:
        """The callback's response ({} for 204); a failure or an opened app alert raises."""
        start = time.perf_counter()
        try:
            response = self.http.post(self.base + UPDATE, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            self._record(kind, start, False)
            raise ServerError(f"callback {kind}: {exc}") from None
        data = {} if response.status_code == 204 else None
        if response.status_code == 200:
            with contextlib.suppress(ValueError, KeyError):
                data = response.json()["response"]
        alert = (data or {}).get(ALERT, {})
        ok = data is not None and not alert.get("is_open")
        self._record(kind, start, ok)
        if not ok:
            raise ServerError(f"callback {kind}: HTTP {response.status_code} "
                              f"{alert.get('children') or response.text[:200]}")
        return data

    def call(self, cb: dict, changed: list[str]) -> set[str]:
        """Send one callback; apply its response to the page state; return changed props."""
        data = self._post(_outputs(cb["output"])[0][0], self._body(cb, changed))
        touched, new_components = set(), {}
        for ident, props in data.items():
            for prop, value in props.items():
                prop = prop.split("@")[0]
                # A Patch updates a figure in the browser; the state keeps the last whole one.
                if not (isinstance(value, dict) and "__dash_patch_update" in value):
                    self.state.setdefault(_key(ident), {})[prop] = value
                    _components(value, new_components)  # e.g. a page's layout
                touched.add(f"{_key(ident)}.{prop}")
        self.state.update(new_components)
        return touched

    def settle(self, fired: list[tuple[dict, list[str]]], depth: int = 8) -> None:
        """Send callbacks, then those their changed outputs feed, until nothing changes."""
        for _ in range(depth):
            changed = set()
            for cb, props in fired:
                changed |= self.call(cb, props)
            fired = [(cb, sorted(changed & self._inputs(cb))) for cb in self.server_callbacks
                     if changed & self._inputs(cb) and self._ready(cb)]
            if not fired:
                return

    @staticmethod
    def _inputs(cb: dict) -> set[str]:
        return {f"{_key(i['id'])}.{i['property']}" for i in cb["inputs"]}

    # -- what a user does -------------------------------------------------------------------
    def open(self, pathname: str, search: str = "") -> None:
        """Navigate: the page content callback, then every initial callback of the page."""
        self.get(pathname + search, "page html")
        self.state = {**self._shell, "_pages_location": {"pathname": pathname, "search": search}}
        pages = self.find(lambda cb: cb["output"].startswith(".._pages_content"))
        self.call(pages, ["_pages_location.pathname"])
        page = set(self.state) - set(self._shell) - {"_pages_location"}
        initial = [cb for cb in self.server_callbacks
                   if not cb.get("prevent_initial_call") and cb is not pages and self._ready(cb)
                   and any(_key(i["id"]) in page or i["id"].startswith("{") for i in cb["inputs"])]
        # As the renderer does, a callback fed by another initial one waits for its output.
        fed = {f"{_key(i)}.{p.split('@')[0]}" for cb in initial for i, p in _outputs(cb["output"])}
        self.settle([(cb, []) for cb in initial if not self._inputs(cb) & fed])

    def start(self) -> None:
        """What a browser fetches once per visit: the layout shell and the callback list."""
        shell: dict = {}
        _components(self.get("/_dash-layout", "layout").json(), shell)
        self.get("/_dash-dependencies", "dependencies")
        self._shell = shell

    def set(self, ident: str, prop: str, value) -> None:
        """Change a control as a user would, firing what it feeds."""
        self.state.setdefault(_key(ident), {})[prop] = value
        name = f"{_key(ident)}.{prop}"
        self.settle([(cb, [name]) for cb in self.server_callbacks
                     if name in self._inputs(cb) and self._ready(cb)])

    def find(self, test) -> dict:
        return next(cb for cb in self.server_callbacks if test(cb))

    def options(self, ident: str) -> list:
        return [o["value"] if isinstance(o, dict) else o
                for o in self.state.get(ident, {}).get("options") or []]


def summarise(logs: list[list]) -> dict[str, dict]:
    """Per user path: requests, errors, median and 95th-percentile latency (ms)."""
    by_path: dict[str, list] = defaultdict(list)
    for log in logs:
        for path, _kind, ms, ok in log:
            by_path[path].append((ms, ok))
    out = {}
    for path, rows in by_path.items():
        times = sorted(ms for ms, _ in rows)
        out[path] = {"requests": len(rows), "errors": sum(not ok for _, ok in rows),
                     "median_ms": statistics.median(times),
                     "p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]}
    return out


def table(summary: dict[str, dict]) -> str:
    lines = [f"{'path':<16}{'requests':>9}{'errors':>8}{'median ms':>11}{'p95 ms':>9}"]
    for path, s in summary.items():
        lines.append(f"{path:<16}{s['requests']:>9}{s['errors']:>8}{s['median_ms']:>11.0f}"
                     f"{s['p95_ms']:>9.0f}")
    total = sum(s["requests"] for s in summary.values())
    errors = sum(s["errors"] for s in summary.values())
    lines.append(f"{'all':<16}{total:>9}{errors:>8}")
    return "\n".join(lines)


@dataclass
class Outcome:
    summary: dict
    failures: list
    seconds: float

    @property
    def requests(self) -> int:
        return sum(s["requests"] for s in self.summary.values())

    @property
    def errors(self) -> int:
        return sum(s["errors"] for s in self.summary.values())


def one_user(base: str, deps: list, moves: list, deadline: float, seed: int, think_s: float,
             log: list, failures: list, auth: tuple[str, str] | None = None) -> None:
    """Loop a user's paths until the deadline: map, measure, footprint, overlaps, export, moves.
    With ``auth``, the user signs in (Basic) as a browser would and keeps the session cookie."""
    rng = random.Random(seed)
    browser = Browser(base, deps, log=log)
    browser.http.auth = auth
    steps = ("open map", "change measure", "open footprint", "overlaps", "export", "move wards")
    geometry_fetched = False
    while time.perf_counter() < deadline:
        for step in steps:
            if time.perf_counter() >= deadline:
                return
            browser.path = step
            try:
                if step == "open map":
                    browser.start()
                    browser.open("/map")
                    if not geometry_fetched:  # the browser caches the shapes file (immutable)
                        shapes = browser.state["map-graph"]["figure"]["data"][0]["geojson"]
                        browser.get(urlsplit(shapes).path, "map shapes")
                        geometry_fetched = True
                elif step == "change measure":
                    browser.set("map-measure", "value", rng.choice(browser.options("map-measure")))
                elif step == "open footprint":
                    browser.open("/footprint")
                    browser.set("footprint-code", "value",
                                rng.choice(browser.options("footprint-code")))
                elif step == "overlaps":
                    browser.open("/overlaps")
                    browser.set("overlap-to", "value", rng.choice(browser.options("overlap-to")))
                elif step == "export":
                    browser.set("export-csv", "n_clicks", 1)
                elif step == "move wards":
                    browser.open("/redraw")
                    for atom, ward, paint in rng.sample(moves, 3):
                        browser.state["redraw-paint"]["value"] = paint
                        browser.set("redraw-map", "clickData",
                                    {"points": [{"location": str(atom), "curveNumber": 0}]})
                        # The draft lives in the page: the move must come back applied.
                        if browser.state["redraw-draft"]["data"]["assignment"][ward] != paint:
                            raise WrongAnswer(f"ward {ward} was not moved to {paint}")
            except ServerError as exc:
                failures.append(f"{step}: {exc}")
            except (WrongAnswer, KeyError, IndexError, ValueError, StopIteration) as exc:
                log.append((step, "check", 0.0, False))
                failures.append(f"{step}: wrong page state ({type(exc).__name__}: {exc})")
            time.sleep(rng.uniform(0.5, 1.5) * think_s)


def run(base: str, users: int, seconds: float, moves: list, think_s: float = 1.0,
        seed: int = 1, auth: tuple[str, str] | None = None) -> Outcome:
    """``users`` simulated users for ``seconds`` against ``base`` (e.g. http://127.0.0.1:8050).

    ``moves`` are (map feature index, ward code, footprint code) of ward moves to try, from
    :func:`ward_moves`.
    """
    deps = requests.get(base + "/_dash-dependencies", timeout=30, auth=auth).json()
    logs = [[] for _ in range(users)]
    failures: list = []
    start = time.perf_counter()
    deadline = start + seconds
    threads = [threading.Thread(target=one_user, args=(base, deps, moves, deadline, seed + i,
                                                       think_s, logs[i], failures, auth),
                                daemon=True)
               for i in range(users)]
    for i, thread in enumerate(threads):
        thread.start()
        time.sleep(min(1.0, seconds / 20) / max(1, users) * (i > 0))  # a staggered arrival
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return Outcome(summarise(logs), failures, time.perf_counter() - start)


def ward_moves(geo) -> list[tuple[int, str, str]]:
    """Moves of a ward as the Redraw page opens it: (a map feature of the ward, the ward's
    code, the footprint it is painted into). On the pack's first grouping, every move of a
    ward to a neighbouring footprint; on a pack with none, the page starts a new layer with
    every ward unassigned, and any ward may go into any of its named footprints."""
    from dashboard.engine import adjacency
    from dashboard.web.common.shapes import display_geometry
    from dashboard.web.redraw.state import NEW_NAMES

    groupings = [n for n, lay in geo.layers.items() if lay.kind == "grouping"]
    wards = geo.layer(geo.layer(groupings[0]).member_of if groupings else "wards")
    feature = {}
    for atom, unit in enumerate(display_geometry(geo).atom_units[wards.name]):
        feature.setdefault(int(unit), atom)
    if not groupings:
        return [(feature[w], wards.codes[w], f"F{k:02d}") for w in range(len(wards))
                for k in range(1, len(NEW_NAMES) + 1)]
    grouping = geo.layer(groupings[0])
    group_of = list(grouping.membership)
    neighbours = adjacency.neighbour_lists(adjacency.adjacency(geo, wards.name))
    return [(feature[w], wards.codes[w], grouping.codes[group_of[o]])
            for w in range(len(wards)) for o in neighbours[w] if group_of[o] != group_of[w]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_command(workers: int = 2) -> list[str]:
    """The Procfile's web process, with ``workers`` workers."""
    return [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
            "--workers", str(workers)]


def dev_server_command(port: int) -> list[str]:
    """Dash's own development server (``app.run``), as a plain Dash deployment runs."""
    return [sys.executable, "-m", "dashboard", "serve", "--port", str(port)]


@dataclass
class Server:
    process: subprocess.Popen
    base: str
    ready_s: float  # from launch until /healthz answered
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def workers(self) -> list[int]:
        """Process ids of gunicorn's workers: the master's children, from all its threads
        (a worker started after a kill may be forked by another thread than the first)."""
        pids = []
        for children in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pids += [int(pid) for pid in children.read_text().split()]
        return sorted(pids)


def server_env(folder: Path, pack: Path) -> dict:
    """Settings for a server under test: ``pack``, with its cache, pack store and scenario
    database in ``folder``."""
    return {"DASHBOARD_PACK": str(pack), "DASHBOARD_CACHE_DIR": str(folder / "cache"),
            "DASHBOARD_PACK_STORE": str(folder / "packs"),
            "DASHBOARD_SCENARIO_DB": f"sqlite:///{folder / 'scenarios.sqlite'}"}


@contextlib.contextmanager
def serving(command: list[str], env: dict, port: int, log: Path, wait_s: float = 90):
    """Run a server (output to ``log``) until the block ends; yields a :class:`Server`."""
    env = {**os.environ, "PORT": str(port), "DASHBOARD_ACCESS_LOG": "0", **env}
    start = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", 0.0, Path(log))
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped at start-up:\n{server.output()}")
            if time.perf_counter() - start > wait_s:
                raise RuntimeError(f"the server was not healthy after {wait_s} s")
            try:
                if requests.get(server.base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        server.ready_s = time.perf_counter() - start
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
