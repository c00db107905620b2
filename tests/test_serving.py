"""The Procfile's server under load and faults: real gunicorn processes on loopback.

Short forms of ``benchmarks/load.py``; each prints its figures (run with ``-s`` to see them, CI
shows them in its log).
"""

from __future__ import annotations

import base64
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from importdata import write_borough

import load_client  # benchmarks/, on pytest's pythonpath (pyproject.toml)
from conftest import DEMO
from dashboard.data.loader import load_pack
from dashboard.web import ids
from tcp_proxy import Relay

pytestmark = pytest.mark.slow
POSTGRES = os.environ.get("DASHBOARD_TEST_POSTGRES_URL")


def show(capsys, text: str) -> None:
    with capsys.disabled():
        print("\n" + text)


def gunicorn(folder: Path, workers: int = 2, **extra):
    port = load_client.free_port()
    return load_client.serving(load_client.gunicorn_command(workers),
                               {**load_client.server_env(folder, DEMO), **extra}, port,
                               folder / "server.log")


def start_fails(folder: Path, **extra) -> str:
    """What gunicorn printed before it stopped at start-up (fails if it started)."""
    with pytest.raises(RuntimeError, match="stopped at start-up") as stopped, gunicorn(folder,
                                                                                      **extra):
        pass
    return str(stopped.value)


@pytest.fixture(scope="module")
def moves():
    return load_client.ward_moves(load_pack(DEMO))


def test_short_load_on_two_workers_has_no_errors(tmp_path, moves, capsys):
    with gunicorn(tmp_path) as server:
        outcome = load_client.run(server.base, users=6, seconds=12, moves=moves, think_s=0.5)
    show(capsys, f"Short load: 6 users, 12 s, gunicorn 2 workers "
                 f"({outcome.requests / outcome.seconds:.0f} requests/s)\n"
                 + load_client.table(outcome.summary))
    assert outcome.failures == [] and outcome.errors == 0
    # Every path ran, and the moves came back applied (checked inside the client).
    assert set(outcome.summary) == {"open map", "change measure", "open footprint", "overlaps",
                                    "export", "move wards"}


def _established(pid: int) -> int:
    """Open TCP connections (not listening sockets) held by process ``pid``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            count += fields[3] == "01" and fields[9] in inodes
    return count


def test_a_worker_killed_mid_request_leaves_the_other_serving(tmp_path, moves, capsys):
    with gunicorn(tmp_path) as server:
        deps = requests.get(server.base + "/_dash-dependencies", timeout=10).json()
        browsers = [load_client.Browser(server.base, deps) for _ in range(8)]
        for b in browsers:
            b.start()
            b.open("/redraw")
            b.http.close()  # no idle keep-alive: a connection a worker holds is a request
        first = set(server.workers())
        results: list = []

        def suggest(b):  # the optimiser: a heavy request (about 0.3 s alone)
            try:
                b.set("redraw-suggest", "n_clicks", 1)
                results.append("ok")
            except load_client.ServerError as exc:
                results.append(str(exc))

        threads = [threading.Thread(target=suggest, args=(b,)) for b in browsers]
        for t in threads:
            t.start()
        victim, deadline = None, time.perf_counter() + 20
        while victim is None and time.perf_counter() < deadline:
            busy = sorted(((_established(pid), pid) for pid in server.workers()), reverse=True)
            victim = busy[0][1] if busy and busy[0][0] else None
        assert victim, "no worker was seen holding a request"
        # The master is paused so that it cannot start a replacement yet: whatever answers
        # now is the other worker.
        os.kill(server.process.pid, signal.SIGSTOP)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.perf_counter()
        for t in threads:
            t.join(60)
        during = [requests.get(server.base + "/_dash-layout", timeout=30).status_code
                  for _ in range(5)]
        alone = set(server.workers()) - {victim} == first - {victim}
        os.kill(server.process.pid, signal.SIGCONT)
        # The master starts a replacement, which reads the warm cache. (Its log names it: the
        # master may briefly have other children, e.g. for its control socket.)
        while not (booted := set(map(int, re.findall(r"Booting worker with pid: (\d+)",
                                                      server.output()))) - first) \
                and time.perf_counter() - killed_at < 60:
            time.sleep(0.05)
        replaced_s = time.perf_counter() - killed_at
        workers = server.workers()
        after = load_client.run(server.base, users=3, seconds=6, moves=moves, think_s=0.3)
        log = server.output()
    failed = [r for r in results if r != "ok"]
    show(capsys, f"Worker {victim} killed mid-request: {len(failed)} of {len(results)} in-flight "
                 f"requests lost, {results.count('ok')} answered by the other worker, which alone "
                 f"then answered 5 new requests {during}; a replacement worker booting "
                 f"{replaced_s:.1f} s after the kill; then {after.requests} requests with {after.errors} "
                 "errors.")
    assert len(results) == 8 and len(failed) >= 1  # it really was mid-request
    assert during == [200] * 5 and alone
    assert len(booted) == 1 and set(workers) == (first - {victim}) | booted, log[-3000:]
    assert after.errors == 0 and after.failures == []


def _import(browser, files: dict[str, Path], name: str) -> None:
    """Upload ``files`` (role to path) on the upload page and press Import, as a user would."""
    browser.open("/upload")
    browser.state[ids.UPLOAD_NAME]["value"] = name
    for role, path in files.items():
        browser.state[ids.UPLOAD_FILE[role]].update(
            filename=path.name,
            contents="data:application/octet-stream;base64,"
                     + base64.b64encode(path.read_bytes()).decode())
    browser.set(ids.UPLOAD_RUN, "n_clicks", 1)


def _unfinished(store: Path) -> list[Path]:
    """What an upload or import in progress has on disk: its uploads and its half-built pack."""
    return [*store.glob(".incoming/*"), *store.glob(".importing-*")]


def test_a_worker_killed_mid_upload_leaves_nothing_behind(tmp_path, capsys):
    files = write_borough(tmp_path / "in")
    # A national population file (every row but the borough's is someone else's): a few
    # megabytes to upload and read, as a council's first try often is.
    rows = "".join(f"E0{i:07d};Elsewhere {i};{i % 3000}\n" for i in range(100_000, 300_000))
    files["population"].write_bytes(files["population"].read_bytes() + rows.encode("latin-1"))
    store = tmp_path / "packs"
    with gunicorn(tmp_path) as server:
        deps = requests.get(server.base + "/_dash-dependencies", timeout=10).json()
        browser = load_client.Browser(server.base, deps)
        browser.start()
        first = set(server.workers())
        outcome: list = []

        def upload():
            try:
                _import(browser, files, "Killed half-way")
                outcome.append("finished")
            except load_client.ServerError as exc:
                outcome.append(str(exc))

        thread = threading.Thread(target=upload)
        thread.start()
        victim, seen, deadline = None, [], time.perf_counter() + 60
        while victim is None and thread.is_alive() and time.perf_counter() < deadline:
            for folder in _unfinished(store):
                owner = folder / ".owner"
                if owner.is_file() and owner.stat().st_size:  # written by the upload's worker
                    seen = [p.relative_to(store) for p in folder.rglob("*")]
                    victim = int(owner.read_text().split()[1])
                    os.kill(victim, signal.SIGKILL)
                    break
        killed_at = time.perf_counter()
        thread.join(60)
        while not (booted := set(map(int, re.findall(r"Booting worker with pid: (\d+)",
                                                      server.output()))) - first) \
                and time.perf_counter() - killed_at < 60:
            time.sleep(0.05)
        while _unfinished(store) and time.perf_counter() - killed_at < 60:
            time.sleep(0.05)
        left = _unfinished(store)
        swept_s = time.perf_counter() - killed_at
        # The store still imports: the same files, uploaded again, make a pack.
        again = load_client.Browser(server.base, deps)
        again.start()
        _import(again, files, "Second try")
        report = str(again.state[ids.UPLOAD_REPORT]["children"])
        after = _unfinished(store)
        packs = [p for p in store.iterdir() if not p.name.startswith(".")]
    show(capsys, f"Worker {victim} killed mid-upload (it had written {len(seen)} files and "
                 f"folders); the upload's browser got: {outcome[0][:80]!r}; a replacement "
                 f"booted and left {len(left)} unfinished folders, {swept_s:.1f} s after the "
                 f"kill; the same files uploaded again made {len(packs)} pack.")
    assert victim in first and outcome and outcome[0] != "finished", outcome
    assert booted and left == [] and after == []
    assert "Imported." in report and len(packs) == 1, report[:500]
    assert 'name = "Second try"' in (packs[0] / "pack.toml").read_text()


@pytest.mark.parametrize("damage, named", [
    ("missing", "does not exist"),
    ("small_areas.geojson", "small_areas.geojson: cannot be read as a boundary file"),
    ("pack.toml", "pack.toml: not valid TOML"),
])
def test_a_missing_or_damaged_pack_stops_start_up_naming_the_file(tmp_path, damage, named,
                                                                  capsys):
    pack = tmp_path / "pack"
    if damage != "missing":
        pack.mkdir()
        for f in DEMO.iterdir():
            (pack / f.name).write_bytes(f.read_bytes())
        (pack / damage).write_bytes((DEMO / damage).read_bytes()[:500])  # cut off half-way
    started = time.perf_counter()
    message = start_fails(tmp_path, DASHBOARD_PACK=str(pack))
    show(capsys, f"Damaged pack ({damage}) refused in {time.perf_counter() - started:.1f} s: "
                 + next(line for line in message.splitlines() if line.startswith("error:")))
    assert f"error: cannot serve the data pack in {pack}" in message and named in message
    assert "Traceback" not in message and "Booting worker" not in message


@pytest.mark.parametrize("name, value", [("DASHBOARD_UPLOAD_MB", "lots"),
                                         ("DASHBOARD_THREADS", "lots"),
                                         ("WEB_CONCURRENCY", "0"),
                                         ("DASHBOARD_MAX_REQUESTS", "2.5")])
def test_a_bad_setting_stops_start_up_naming_the_variable(tmp_path, name, value):
    message = start_fails(tmp_path, **{name: value})
    assert f"error: {name}={value!r}: give a" in message
    assert "Traceback" not in message and "Booting worker" not in message


def test_the_second_start_reads_the_cache_and_serves_the_same_shapes(tmp_path, capsys):
    digests, lines = [], []
    for _ in range(2):
        with gunicorn(tmp_path, workers=1) as server:
            page = requests.get(server.base + "/_dash-layout", timeout=10)
            assert page.status_code == 200
            lines.append(next(line for line in server.output().splitlines()
                              if "map shapes cache" in line))
            digests.append(sorted(p.name for p in (tmp_path / "cache").rglob("*.json")))
            lines[-1] += f" [healthy after {server.ready_s:.1f} s]"
    show(capsys, "Start-up, cold then warm:\n" + "\n".join(lines))
    assert "cache: cold" in lines[0] and "cache: warm" in lines[1]
    assert digests[0] == digests[1] != []


@pytest.mark.skipif(not POSTGRES, reason="DASHBOARD_TEST_POSTGRES_URL not set (CI sets it)")
def test_the_scenario_database_going_away_is_a_message_and_nothing_is_lost(tmp_path, moves,
                                                                            capsys):
    url = sa.make_url(POSTGRES)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    through = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    with sa.create_engine(POSTGRES).begin() as conn:  # a clean table for this test
        conn.execute(sa.text("DROP TABLE IF EXISTS scenarios"))
    with gunicorn(tmp_path, DASHBOARD_SCENARIO_DB=through) as server:
        deps = requests.get(server.base + "/_dash-dependencies", timeout=10).json()
        b = load_client.Browser(server.base, deps)
        b.start()
        b.open("/redraw")
        atom, ward, paint = moves[0]
        b.state["redraw-paint"]["value"] = paint
        b.set("redraw-map", "clickData", {"points": [{"location": str(atom), "curveNumber": 0}]})
        b.state["redraw-name"]["value"] = "Before the outage"
        b.set("redraw-save-as", "n_clicks", 1)
        assert "Before the outage" in str(b.state["redraw-scenarios"]["options"])

        relay.cut()
        health = requests.get(server.base + "/healthz", timeout=30).json()
        b.state["redraw-name"]["value"] = "During the outage"
        b.set("redraw-save-as", "n_clicks", 2)  # answered, with the reason in the page
        refused = str(b.state["redraw-store-status"]["children"]["props"]["children"])
        draft_kept = b.state["redraw-draft"]["data"]["assignment"][ward] == paint
        fresh = load_client.Browser(server.base, deps)  # someone opening the page meanwhile
        fresh.start()
        fresh.open("/redraw")
        page_says = str(fresh.state["redraw-store-status"])

        relay.restore()
        b.set("redraw-save-as", "n_clicks", 3)
        names = [o["label"] for o in b.state["redraw-scenarios"]["options"]]
        health_after = requests.get(server.base + "/healthz", timeout=30).json()
    relay.cut()
    show(capsys, f"Scenario database cut: save refused with {refused}; health "
                 f"{health}; restored: health {health_after}; saved {names}")
    assert "cannot be reached just now" in refused
    assert "Your current edits are still in this page" in refused
    assert draft_kept
    assert "cannot be reached" in page_says
    assert (health["status"], health["scenarios"]) == ("degraded", "unavailable")
    assert (health_after["status"], health_after["scenarios"]) == ("ok", "ok")
    assert any(n.startswith("Before the outage") for n in names)
    assert any(n.startswith("During the outage") for n in names)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_a_50_mb_callback_body_is_refused_without_the_worker_growing(tmp_path, capsys):
    body = b'{"output":"map-graph.figure","outputs":{},"inputs":["' + b"x" * 50 * 2**20 + b'"]}'
    with gunicorn(tmp_path, workers=1) as server:
        (worker,) = server.workers()
        before = _rss_mb(worker)
        try:
            answer = requests.post(f"{server.base}/_dash-update-component", data=body,
                                   headers={"Content-Type": "application/json"}, timeout=30)
            status = answer.status_code
        except requests.ConnectionError:  # the server answered and closed before the upload
            status = "closed"
        grown = _rss_mb(worker) - before
        alive = requests.get(f"{server.base}/healthz", timeout=10).status_code
    show(capsys, f"50 MB callback body: {status}; worker memory grew {grown:.1f} MB.")
    assert status in (413, "closed") and grown < 100 and alive == 200


def test_a_damaged_pack_and_worker_recycling_keep_serving_the_last_good_pack(tmp_path, moves,
                                                                            capsys):
    pack = tmp_path / "pack"
    pack.mkdir()
    for f in DEMO.iterdir():
        (pack / f.name).write_bytes(f.read_bytes())
    with gunicorn(tmp_path, DASHBOARD_PACK=str(pack), DASHBOARD_MAX_REQUESTS="30") as server:
        good = requests.get(f"{server.base}/healthz", timeout=10).json()["pack"]["version"]
        # Half-edited: the manifest cut off mid-line and the boundaries truncated.
        (pack / "pack.toml").write_bytes((DEMO / "pack.toml").read_bytes()[:400])
        (pack / "small_areas.geojson").write_bytes((DEMO / "small_areas.geojson").read_bytes()[:900])
        damaged = load_client.run(server.base, 8, 20, moves)
        health = requests.get(f"{server.base}/healthz", timeout=10).json()
        # Then a valid edit: the new pack is taken up by the workers that start after it.
        (pack / "pack.toml").write_text((DEMO / "pack.toml").read_text().replace(
            'name = "Brackmoor', 'name = "Brackmoor (edited)', 1))
        (pack / "small_areas.geojson").write_bytes((DEMO / "small_areas.geojson").read_bytes())
        edited = load_client.run(server.base, 8, 15, moves)
        after = requests.get(f"{server.base}/healthz", timeout=10).json()
        layout = requests.get(f"{server.base}/_dash-layout", timeout=10).text
        log = server.output()
        booted = log.count("Booting worker")
    show(capsys, f"Damaged pack under recycling: {damaged.requests} requests, {damaged.errors} "
                 f"errors; then edited: {edited.requests} requests, {edited.errors} errors; "
                 f"{booted} worker boots; health while damaged: {health}")
    # On failure, say which step failed and how the server explained it.
    said = "\n".join(line for line in log.splitlines() if "Error" in line or "Traceback" in line)
    assert damaged.errors == 0 and damaged.failures == [] and damaged.requests > 100, \
        (damaged.failures, said[-3000:])
    assert edited.errors == 0 and edited.failures == [], (edited.failures, said[-3000:])
    assert booted >= 4  # workers really were recycled while the pack was damaged
    assert health["status"] == "degraded" and health["pack"]["version"] == good
    assert "pack.toml" in health["pack"]["newer_refused"]
    assert str(pack) not in str(health) and str(tmp_path) not in str(health)
    assert after["pack"]["version"] != good and after["pack"]["newer_refused"] is None
    assert "Brackmoor (edited)" in layout
