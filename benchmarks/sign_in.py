"""What sign-in costs a page visit, and what a password-guessing flood costs signed-in users.

Against the Procfile's gunicorn (2 workers) on the demo pack, in one run:

* **page visit**: the requests a browser makes to open the map page (the page, Dash's layout
  and dependencies, the style sheet, the map style), median and 95th percentile over repeated
  visits by a browser that signed in once, with sign-in on, against the same visits with
  sign-in off (the peer);
* **flood**: the same signed-in visits while an attacker sends wrong passwords as fast as the
  server answers, against the quiet median. Two floods are run: 8 threads in one attacking
  process (the condition the goal is set for), and 8 attacking processes, a harsher one on
  this machine because the attackers then take the server's own cores (an attacker elsewhere
  would not).

Usage: python benchmarks/sign_in.py [--visits 60]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import requests
from werkzeug.security import generate_password_hash

import load_client
from dashboard.config import DEMO_PACK

VISIT = ("/", "/_dash-layout", "/_dash-dependencies", "/assets/style.css", "/_style/blank.json")
PASSWORD = "correct horse battery staple"


def visit(session: requests.Session, base: str) -> float:
    started = time.perf_counter()
    for path in VISIT:
        answer = session.get(base + path, timeout=30)
        answer.raise_for_status()
    return time.perf_counter() - started


def signed_in(base: str, auth=None) -> requests.Session:
    session = requests.Session()
    if auth:
        session.auth = auth
    visit(session, base)  # the first visit signs in (and warms caches): not counted
    return session


def visits(session: requests.Session, base: str, n: int) -> list[float]:
    return [visit(session, base) for _ in range(n)]


def flood(base: str, seconds: float) -> tuple[int, int]:
    """One guessing client: wrong passwords for ``seconds``; returns (tries, refused with
    429)."""
    tries = refused = 0
    end = time.perf_counter() + seconds
    with requests.Session() as session:
        while time.perf_counter() < end:
            answer = session.get(base + "/", auth=("planner", "guess"), timeout=30)
            tries += 1
            refused += answer.status_code == 429
    return tries, refused


def threaded_flood(base: str, seconds: float, threads: int) -> tuple[int, int]:
    """``threads`` guessing clients in this one process (run it apart from the measuring one,
    so the attackers do not share its interpreter lock)."""
    with ThreadPoolExecutor(threads) as pool:
        counts = list(pool.map(lambda _: flood(base, seconds), range(threads)))
    return tuple(sum(c[i] for c in counts) for i in (0, 1))


FLOODS = {"8 threads in one process": (1, 8), "8 processes": (8, 0)}


def flooded(session: requests.Session, base: str, n: int, processes: int,
            threads: int) -> tuple[list[float], int, int]:
    """Signed-in visits during a flood; returns (times, tries, refused)."""
    seconds = 4 + n * 0.05
    with ProcessPoolExecutor(processes) as pool:
        if threads:
            guesses = [pool.submit(threaded_flood, base, seconds, threads)]
        else:
            guesses = [pool.submit(flood, base, seconds) for _ in range(processes)]
        time.sleep(2)
        times = visits(session, base, n)
        counts = [g.result() for g in guesses]
    return times, sum(c[0] for c in counts), sum(c[1] for c in counts)


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=60)
    args = parser.parse_args()
    secret = generate_password_hash(PASSWORD)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra in (("sign-in off (peer)", {}),
                            ("sign-in on", {"DASHBOARD_AUTH_USER": "planner",
                                            "DASHBOARD_AUTH_PASSWORD_HASH": secret})):
            folder = Path(tmp) / name.split()[1]
            folder.mkdir()
            port = load_client.free_port()
            env = {**load_client.server_env(folder, DEMO_PACK), **extra}
            with load_client.serving(load_client.gunicorn_command(2), env, port,
                                     folder / "server.log") as server:
                session = signed_in(server.base, ("planner", PASSWORD) if extra else None)
                results[name] = visits(session, server.base, args.visits)
                print(f"{name}: page visit {summary(results[name])}")
                for flood_name, (processes, threads) in FLOODS.items() if extra else ():
                    times, tries, refused = flooded(session, server.base, args.visits,
                                                    processes, threads)
                    results[flood_name] = times
                    print(f"during a flood of {flood_name} ({tries} wrong passwords, "
                          f"{refused} refused with 429 before checking): page visit "
                          f"{summary(times)}")
    off = statistics.median(results["sign-in off (peer)"])
    on = statistics.median(results["sign-in on"])
    print(f"\nsign-in on / off, median page visit: {on / off:.2f}x (goal under 1.3x)")
    for flood_name in FLOODS:
        ratio = statistics.median(results[flood_name]) / on
        goal = " (goal under 2x)" if flood_name == next(iter(FLOODS)) else ""
        print(f"flood of {flood_name} / quiet, signed-in median: {ratio:.2f}x{goal}")


if __name__ == "__main__":
    main()
