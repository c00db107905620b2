"""The scenario store on SQLite and, when ``DASHBOARD_TEST_POSTGRES_URL`` is set (CI sets it), on
a real PostgreSQL server: validation, versions, a process killed mid-save, concurrent sessions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import uuid

import pytest
import sqlalchemy as sa

from dashboard.scenarios import Conflict, ScenarioError, ScenarioStore, StoreUnavailable

POSTGRES = os.environ.get("DASHBOARD_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES, reason="DASHBOARD_TEST_POSTGRES_URL not set (CI starts PostgreSQL and sets it)"))]


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'scenarios.sqlite'}" if request.param == "sqlite" else POSTGRES


@pytest.fixture
def pack():
    """A pack key of its own per test, so tests on the shared PostgreSQL never meet."""
    return uuid.uuid4().hex


def payload(n: int = 1) -> dict:
    return {"draft": {"layer": "places", "assignment": {"W1": f"P{n}"}}, "settings": {"n": n}}


def test_create_list_get_rename_duplicate_delete(url, pack):
    store = ScenarioStore(url)
    a = store.create(pack, "places", "  PCN-aligned   (4 places) ", payload(1))
    assert a.name == "PCN-aligned (4 places)" and a.version == 1
    b = store.create(pack, "places", "Ward 7 moves", payload(2))
    mine = {a.id, b.id}
    assert [s.name for s in store.list(pack, only=mine)] == ["Ward 7 moves",
                                                            "PCN-aligned (4 places)"]
    assert store.list(pack, only=mine)[0].payload is None  # listings are light
    assert store.get(a.id).payload == payload(1)
    renamed = store.update(a.id, 1, name="Four places", edit_key=a.edit_key)
    assert renamed.name == "Four places" and renamed.version == 2
    copy = store.duplicate(b.id, "Ward 7 moves (copy)")
    assert copy.id != b.id and store.get(copy.id).payload == payload(2)
    store.delete(b.id, edit_key=b.edit_key)
    mine |= {copy.id}
    assert {s.name for s in store.list(pack, only=mine)} == {"Four places",
                                                            "Ward 7 moves (copy)"}
    with pytest.raises(ScenarioError, match="no longer exists"):
        store.get(b.id)
    assert store.list(uuid.uuid4().hex, only=mine) == []  # another pack sees none of them


def test_names_and_payloads_are_checked(url, pack):
    store = ScenarioStore(url)
    plan = store.create(pack, "places", "Plan A", payload())
    with pytest.raises(ScenarioError, match="already exists"):
        store.create(pack, "places", "Plan A", payload())
    for bad, message in [("", "Give the scenario a name"), ("x" * 81, "at most 80"),
                         ("../etc/passwd", "characters a scenario name cannot use"),
                         ("<script>", "characters"), ("tab\x00null", "characters")]:
        with pytest.raises(ScenarioError, match=message):
            store.create(pack, "places", bad, payload())
    with pytest.raises(ScenarioError, match="hold a draft"):
        store.create(pack, "places", "No draft", {"settings": {}})
    with pytest.raises(ScenarioError, match="limit is 512 KB"):
        store.create(pack, "places", "Huge", {"draft": {"x": "y" * 600_000}})
    with pytest.raises(ScenarioError, match="JSON"):
        store.create(pack, "places", "NaN", {"draft": {"x": float("nan")}})
    with pytest.raises(ScenarioError, match="link is not valid"):
        store.get("'; DROP TABLE scenarios; --")
    assert [s.name for s in store.list(pack, only={plan.id})] == ["Plan A"]


def test_stale_version_is_a_conflict(url, pack):
    first, second = ScenarioStore(url), ScenarioStore(url)  # two workers, two users
    s = first.create(pack, "places", "Shared", payload(1))
    first.update(s.id, s.version, payload(2), edit_key=s.edit_key)
    with pytest.raises(Conflict, match="Someone else saved this scenario"):
        second.update(s.id, s.version, payload(3), edit_key=s.edit_key)
    assert second.get(s.id).payload == payload(2)


def test_concurrent_saves_all_land(url, pack):
    stores = [ScenarioStore(url, team=True), ScenarioStore(url, team=True)]
    errors = []

    def save(k: int):
        try:
            for i in range(15):
                stores[k].create(pack, "places", f"User {k} plan {i}", payload(i))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(stores[0].list(pack)) == 30


PAUSE_AND_SAVE = textwrap.dedent("""
    import sys, time
    from sqlalchemy import event
    from dashboard.scenarios import ScenarioStore
    url, scenario_id, pack = sys.argv[1:4]
    store = ScenarioStore(url)
    store.list(pack)  # table exists before we hook commits

    @event.listens_for(store.engine, "commit")
    def pause(conn):  # the chosen point: the rows are written, the commit not yet sent
        print("PAUSED", flush=True)
        time.sleep(120)

    store.team = True  # this stand-in for a second browser may save over the first
    store.update(scenario_id, 1, {"draft": {"half": "saved"}})
    store.create(pack, "places", "Never saved", {"draft": {}})
""")


def run_paused(url: str, scenario_id: str, pack: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", PAUSE_AND_SAVE, url, scenario_id, pack],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "PAUSED"
    return proc


def test_killed_mid_save_loses_nothing_and_others_never_see_unsaved(url, pack):
    store = ScenarioStore(url)
    kept = store.create(pack, "places", "Kept", payload(1))
    proc = run_paused(url, kept.id, pack)
    try:
        # Another session reads while the save is half done: it sees the saved version only.
        assert ScenarioStore(url).get(kept.id).payload == payload(1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    after = ScenarioStore(url)
    got = after.get(kept.id)
    assert got.payload == payload(1) and got.version == 1
    assert [s.name for s in ScenarioStore(url, team=True).list(pack)] == ["Kept"]
    # The store is still writable (no lock left behind) and, on SQLite, intact.
    after.update(kept.id, 1, payload(5), edit_key=kept.edit_key)
    if url.startswith("sqlite"):
        with after.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"


def test_unreachable_store_says_so_and_recovers(tmp_path, pack):
    folder = tmp_path / "not-yet"
    store = ScenarioStore(f"sqlite:///{folder / 'scenarios.sqlite'}")
    with pytest.raises(StoreUnavailable, match="cannot be reached.*export the scenario as a CSV"):
        store.list(pack)
    assert not store.healthy()
    folder.mkdir()
    saved = store.create(pack, "places", "After the outage", payload())
    assert store.healthy() and len(store.list(pack, only={saved.id})) == 1


@pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL")
def test_postgres_down_is_a_clear_message(pack):
    down = sa.make_url(POSTGRES).set(port=1)  # nothing listens on port 1
    store = ScenarioStore(down.render_as_string(hide_password=False))
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        store.create(pack, "places", "Lost?", payload())
    assert "***" in repr(store) or "dashboard" not in repr(store).split("@")[0]


def test_a_locked_sqlite_store_answers_within_three_seconds_and_health_says_so(tmp_path, pack):
    import sqlite3
    import time

    from conftest import DEMO
    from dashboard.app import create_app
    from dashboard.data.loader import load_pack

    db = tmp_path / "scenarios.sqlite"
    app = create_app(geography=load_pack(DEMO), scenario_db=f"sqlite:///{db}",
                     pack_store=tmp_path / "packs")
    client = app.server.test_client()
    store = ScenarioStore(f"sqlite:///{db}")
    before = store.create(pack, "places", "Before the lock", payload())
    assert client.get("/healthz").get_json()["status"] == "ok"
    holder = sqlite3.connect(db, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
    try:
        started = time.perf_counter()
        with pytest.raises(StoreUnavailable, match="cannot be reached"):
            store.create(pack, "places", "During the lock", payload(2))
        assert time.perf_counter() - started < 3.0
        started = time.perf_counter()
        health = client.get("/healthz").get_json()
        assert (health["status"], health["scenarios"]) == ("degraded", "unavailable")
        assert time.perf_counter() - started < 3.0
        assert [s.name for s in store.list(pack, only={before.id})] == ["Before the lock"]
    finally:
        holder.rollback()
        holder.close()
    store.create(pack, "places", "After the lock", payload(3))
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_only_the_saving_browser_changes_a_scenario_and_packs_are_separate(url, pack):
    store = ScenarioStore(url)
    mine = store.create(pack, "places", "Mine", payload(1))
    assert mine.edit_key and store.get(mine.id).edit_key is None  # the key is never stored
    for key in (None, "", "guess", mine.edit_key + "x"):
        with pytest.raises(ScenarioError, match="only from the browser that saved it"):
            store.update(mine.id, 1, payload(2), edit_key=key)
        with pytest.raises(ScenarioError, match="only from the browser that saved it"):
            store.update(mine.id, 1, name="Renamed", edit_key=key)
        with pytest.raises(ScenarioError, match="only from the browser that saved it"):
            store.delete(mine.id, edit_key=key)
    other = uuid.uuid4().hex
    with pytest.raises(ScenarioError, match="belongs to another data pack"):
        store.update(mine.id, 1, name="Renamed", edit_key=mine.edit_key, pack=other)
    with pytest.raises(ScenarioError, match="belongs to another data pack"):
        store.delete(mine.id, edit_key=mine.edit_key, pack=other)
    assert store.get(mine.id).version == 1 and store.get(mine.id).name == "Mine"
    theirs = store.create(pack, "places", "Theirs", payload(3))
    assert [s.name for s in store.list(pack, only={mine.id})] == ["Mine"]  # not everyone's
    assert {s.name for s in ScenarioStore(url, team=True).list(pack)} == {"Mine", "Theirs"}
    copy = store.duplicate(theirs.id, "My copy of theirs", pack=pack)
    store.update(copy.id, 1, payload(4), edit_key=copy.edit_key, pack=pack)
    store.delete(mine.id, edit_key=mine.edit_key, pack=pack)
