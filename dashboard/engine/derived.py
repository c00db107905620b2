"""Results derived from one geography, kept within bounds and safe to share between threads.

Every costly derived result (overlap matrices, adjacency, the atom index, display shapes,
recent balances) is kept on the geography it came from, in one :class:`Derived` store, so it
lives and dies with its pack. Each kind of result (the first item of its key) has its own
least-recently-used bound: a worker that serves many scenarios keeps the recent ones, not all.
Regrouped copies of a geography share its store (base layers never change), so results that
depend on groupings carry the grouping in their key (see ``geography.grouping_key``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache

T = TypeVar("T")
# Entries kept per kind. The simplified atoms are megabytes, one per pack; each arrangement of
# footprints adds its outlines (small) and a balance per move; base-layer results are few and
# reused by every page.
BOUNDS = {"display": 4, "display-layer": 24, "display-simple": 2, "display-atoms": 2,
          "balance": 32, "basis": 4, "outline-geojson": 24}
DEFAULT_BOUND = 64


class Derived:
    """A bounded, thread-safe memo: ``get(key, make)`` returns the kept result or makes it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kinds: dict[Hashable, LRUCache] = {}

    def _cache(self, kind: Hashable) -> LRUCache:
        cache = self._kinds.get(kind)
        if cache is None:
            cache = self._kinds[kind] = LRUCache(BOUNDS.get(kind, DEFAULT_BOUND))
        return cache

    def get(self, key: tuple, make: Callable[[], T]) -> T:
        """The result kept under ``key`` (its first item names its kind), made if missing.

        ``make`` runs outside the lock, so a slow result never blocks other threads; two
        threads may both make it, and the first kept wins (results are deterministic).
        """
        with self._lock:
            try:
                return self._cache(key[0])[key]
            except KeyError:
                pass
        value = make()
        with self._lock:
            return self._cache(key[0]).setdefault(key, value)

    def put(self, key: tuple, value) -> None:
        """Keep ``value`` under ``key`` (e.g. shapes read back from a disk cache)."""
        with self._lock:
            self._cache(key[0])[key] = value

    def drop(self, key: tuple) -> None:
        """Forget the result kept under ``key`` (benchmarks time a cold start this way)."""
        with self._lock:
            self._cache(key[0]).pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(c) for c in self._kinds.values())
