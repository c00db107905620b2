"""Files written whole or not at all, for caches that several workers read."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMPORARY = ".tmp"  # what a killed writer leaves behind: ".<random>.tmp" beside the file


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` under a temporary name beside ``path``, then rename it into place, so a
    reader sees the old file or the new one, never half of one. Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=TEMPORARY)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
