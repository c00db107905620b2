"""Framework code (Dash, React, Plotly) sent brotli-compressed at its smallest.

Plotly alone is 4.8 MB of JavaScript: gzip sends 1.47 MB of it, brotli at its highest quality
1.11 MB. That quality costs seconds per file, far too slow per request, so each file is
compressed once, in the background, and kept in memory and in the disk cache (keyed by the
file's size and checksum, so a new release of a library is compressed anew). Until a file is
ready, and for browsers that do not take brotli, flask-compress's gzip serves as before.
Only files whose address names their content are treated so: Dash's component files, the same
for every visitor, and each pack's map shapes and outlines (``/_geometry/``, ``/_outlines/``),
the same for every visitor of that pack; brotli at its highest quality takes Kirklees' shapes
from 87 KB (the usual compression) to 58 KB.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import zlib
from pathlib import Path

import brotli
from flask import Flask, Response, request

from dashboard.atomic import write_atomically

LOG = logging.getLogger(__name__)
PREFIXES = ("/_dash-component-suites/", "/_geometry/", "/_outlines/")
QUALITY = 11
CONFIG_KEY = "PRECOMPRESSED"


class Precompressed:
    """Brotli copies of static files: made once by one background thread, kept in memory and
    (when ``folder`` is given) on disk for the other workers and the next start."""

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder
        self._ready: dict[str, bytes] = {}
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Lock()
        self._threads: list[threading.Thread] = []

    @staticmethod
    def key(data: bytes) -> str:
        return f"{len(data)}-{zlib.crc32(data):08x}"

    def get(self, data: bytes) -> bytes | None:
        """The brotli copy of ``data`` if made; otherwise start making it and give None."""
        key = self.key(data)
        with self._lock:
            if key in self._ready:
                return self._ready[key]
        found = self._read(key)
        with self._lock:
            if found is not None:
                self._ready[key] = found
                return found
            if key not in self._pending:
                self._pending.add(key)
                # A daemon thread: a worker that stops never waits for a copy in the making.
                thread = threading.Thread(target=self._make, args=(key, data), daemon=True,
                                          name="brotli")
                self._threads = [t for t in self._threads if t.is_alive()] + [thread]
                thread.start()
        return None

    def wait(self) -> None:
        """Block until every copy asked for so far is made (tests, benchmarks)."""
        for thread in list(self._threads):
            thread.join()

    def _make(self, key: str, data: bytes) -> None:
        _lower_priority()
        try:
            with self._one_at_a_time:  # one file at a time: pages keep the other core
                packed = brotli.compress(data, quality=QUALITY)
            self._write(key, packed)
            with self._lock:
                self._ready[key] = packed
        except Exception:  # a failed copy only means gzip keeps serving this file
            LOG.exception("Could not brotli-compress a framework file (%s)", key)
        finally:
            with self._lock:
                self._pending.discard(key)

    def _path(self, key: str) -> Path | None:
        return None if self._folder is None else self._folder / f"{key}.br"

    def _read(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return path.read_bytes() if path is not None else None
        except OSError:
            return None

    def _write(self, key: str, packed: bytes) -> None:
        path = self._path(key)
        if path is None:
            return
        try:  # written whole, then renamed: another worker never reads half a file
            write_atomically(path, packed)
        except OSError as exc:  # a read-only or full disk: memory only, nothing breaks
            LOG.warning("Could not keep a compressed framework file in %s: %s", path.parent,
                        exc)


def _lower_priority() -> None:
    """On Linux, let this thread use only time the pages do not need."""
    # Not Linux, or not allowed: full priority is fine.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def attach(server: Flask, cache_dir: Path | None) -> None:
    """Serve Dash's component files brotli-compressed once their copy is made. Registered
    after flask-compress, so it runs first and flask-compress leaves an encoded response be."""
    copies = Precompressed(None if cache_dir is None else Path(cache_dir) / "brotli")
    server.config[CONFIG_KEY] = copies

    @server.after_request
    def brotli_framework(response: Response) -> Response:
        if (request.method != "GET" or response.status_code != 200
                or not request.path.startswith(PREFIXES)
                or "br" not in request.headers.get("Accept-Encoding", "")
                or "Content-Encoding" in response.headers):
            return response
        response.direct_passthrough = False  # a file response: read it to compress it
        packed = copies.get(response.get_data())
        if packed is None:
            return response
        etag, weak = response.get_etag()
        response.set_data(packed)
        if etag:  # another encoding is another representation, with its own tag
            response.set_etag(f"{etag}-br", weak)
        response.headers["Content-Encoding"] = "br"
        response.headers["Content-Length"] = str(len(packed))
        response.vary.add("Accept-Encoding")
        return response
