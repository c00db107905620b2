"""Load test: 25 simulated users for 60 s against the Procfile's gunicorn with 2 workers.

Each user loops through what officers do: open the map, change the measure, open a footprint,
run the overlap explorer, export its table, and move three wards on the Redraw page, with a
think time of 0.5 to 1.5 s between steps (a browser fires each step's requests at once). The
client runs on the same machine, over loopback, with one thread per user (see
``load_client.py``). The peer, on the same input in the same run, is Dash's own server
(``app.run``, threaded), which is how a Dash app is often left running.

With ``--damage``, the fault run instead: the pack is copied, and 5 s into the load its manifest
and boundary files are cut off half-way on disk while workers are recycled every 30 requests;
the server must go on serving the last good pack with no failed request (no peer).

Usage: python benchmarks/load.py [--users 25] [--seconds 60] [--pack DIR] [--no-peer]
[--sign-in] [--damage]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
from pathlib import Path

import requests

import load_client
from dashboard.config import DEMO_PACK
from dashboard.data.loader import load_pack

SIGN_IN = ("planner", "correct horse battery staple")


def damage(pack: Path) -> None:
    """Cut the manifest and every boundary file off half-way, as a half-finished edit would."""
    for path in [pack / "pack.toml", *pack.glob("*.geojson"), *pack.glob("*.gpkg")]:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def measure(name: str, command_for, pack: Path, users: int, seconds: float, moves: list,
            folder: Path, sign_in: bool = False, extra: dict | None = None, during=None):
    port = load_client.free_port()
    env = load_client.server_env(folder / name, pack) | (extra or {})
    if sign_in:
        from werkzeug.security import generate_password_hash

        env |= {"DASHBOARD_AUTH_USER": SIGN_IN[0],
                "DASHBOARD_AUTH_PASSWORD_HASH": generate_password_hash(SIGN_IN[1])}
    log = folder / f"{name.split(',')[0].split()[0]}.log"
    with load_client.serving(command_for(port), env, port, log) as server:
        print(f"\n{name}: healthy {server.ready_s:.1f} s after launch; {users} users for "
              f"{seconds:g} s")
        timer = threading.Timer(5, during) if during else None
        if timer:
            timer.start()
        outcome = load_client.run(server.base, users, seconds, moves,
                                  auth=SIGN_IN if sign_in else None)
        if timer:
            timer.join()
            health = requests.get(server.base + "/healthz", timeout=10).json()
            print(f"worker boots: {server.output().count('Booting worker')}; health at the "
                  f"end: {health}")
    print(load_client.table(outcome.summary))
    print(f"throughput: {outcome.requests / outcome.seconds:.1f} requests/s")
    for failure in outcome.failures[:10]:
        print("  failure:", failure)
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--pack", type=Path, default=DEMO_PACK)
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--sign-in", action="store_true",
                        help="basic sign-in on (every user signs in once, then holds a session)")
    parser.add_argument("--damage", action="store_true",
                        help="damage the pack on disk during the load, with worker recycling")
    args = parser.parse_args()
    moves = load_client.ward_moves(load_pack(args.pack))
    with tempfile.TemporaryDirectory() as tmp:
        if args.damage:
            pack = shutil.copytree(args.pack, Path(tmp) / "pack")
            outcome = measure("gunicorn, 2 workers, pack damaged after 5 s, recycled every 30 "
                              "requests", lambda port: load_client.gunicorn_command(2), pack,
                              args.users, args.seconds, moves, Path(tmp), args.sign_in,
                              {"DASHBOARD_MAX_REQUESTS": "30"}, lambda: damage(pack))
            print(f"failed requests: {outcome.errors}")
            return
        ours = measure("gunicorn, 2 workers (Procfile)" + (", sign-in on" if args.sign_in
                                                            else ""),
                       lambda port: load_client.gunicorn_command(2), args.pack, args.users,
                       args.seconds, moves, Path(tmp), args.sign_in)
        if args.no_peer:
            return
        peer = measure("Dash development server (peer)", load_client.dev_server_command,
                       args.pack, args.users, args.seconds, moves, Path(tmp), args.sign_in)
    print("\nours against the peer (same users, same paths, same run):")
    print(f"  requests served: {ours.requests} vs {peer.requests} "
          f"({ours.requests / max(peer.requests, 1):.2f}x); errors {ours.errors} vs {peer.errors}")
    for path, s in ours.summary.items():
        p = peer.summary.get(path)
        if p:
            print(f"  {path:<16} p95 {s['p95_ms']:>6.0f} vs {p['p95_ms']:>6.0f} ms "
                  f"({p['p95_ms'] / max(s['p95_ms'], 1e-9):.2f}x faster); median "
                  f"{s['median_ms']:.0f} vs {p['median_ms']:.0f} ms")


if __name__ == "__main__":
    main()
