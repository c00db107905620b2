"""Files as the browser uploads them: decoding within a size limit, safe names, and the roles
an upload fills in an import."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from dashboard.errors import DataFileError

TABLE_FILE_LIMIT = 5 * 1024 * 1024  # a small table uploaded on its own, e.g. current allocations


# Layer names an uploaded grouping may not take: the import writes these itself.
RESERVED = {"small_areas", "wards", "pcns", "hubs"}


# The single-file roles of an upload and the ImportSpec field each fills.
ROLES = ("wards", "small_areas", "population", "need", "lsoa_lookup", "lookup_fallback",
         "best_fit_lookup", "practices", "registrations", "hubs", "centroids")


REQUIRED = ("wards", "small_areas", "population")


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it: its name and a ``data:...;base64,`` URL."""

    filename: str
    contents: str


def _size(n: int) -> str:
    return f"{n / 2**20:,.1f} MB" if n >= 2**19 else f"{n / 1024:,.1f} kB"


def decode(upload: Upload, limit: int) -> bytes:
    """The file's bytes; refuses an oversized or garbled upload before decoding all of it."""
    _, _, payload = upload.contents.partition(",")
    if len(payload) * 3 // 4 > limit:
        raise DataFileError(
            f"{upload.filename}: {_size(len(payload) * 3 // 4)}, over the {_size(limit)} "
            "limit per file. Upload only your borough's rows, or zip the boundary file.")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DataFileError(f"{upload.filename}: the upload arrived damaged ({exc}); "
                            "try uploading it again.") from exc


def safe_name(filename: str, fallback: str) -> str:
    """A bare file name (no folders, no control characters, not hidden), keeping the user's
    spelling otherwise so that messages name the file as they know it."""
    base = re.split(r"[\\/]", filename)[-1]
    base = re.sub(r"[\x00-\x1f\x7f:]", "_", base).strip().lstrip(".")
    return base[:120] or fallback


def group_name(filename: str) -> str:
    """A grouping's layer name from its file name: ``Place partnerships.csv`` -> ``place_partnerships``."""
    stem = safe_name(filename, "group").rsplit(".", 1)[0].lower()
    name = re.sub(r"[^a-z0-9]+", "_", stem).strip("_") or "group"
    if name[0].isdigit():
        name = "g_" + name
    if name in RESERVED:
        raise DataFileError(f"{filename}: a grouping cannot be called '{name}', which the "
                            "import uses itself. Rename the file, e.g. to places.csv.")
    return name
