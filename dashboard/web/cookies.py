"""The browser's pack choice and its own imports, kept in two cookies."""

from __future__ import annotations

from dashboard.packs import PACK_ID

COOKIE = "dashboard_pack"


UPLOADS_COOKIE = "dashboard_uploads"  # ids of the packs this browser imported or derived


MAX_REMEMBERED = 8  # imported packs a browser's chooser lists


def set_cookie(response, pack_id: str, secure: bool = False, remembered: str = "") -> None:
    """Point this browser at ``pack_id`` for 90 days (not readable by page scripts; sent only
    over HTTPS when ``secure``, i.e. when the request came over HTTPS). An imported pack's id
    is also added to the browser's list of its own packs (``remembered``: the list so far)."""
    age = 90 * 24 * 3600
    response.set_cookie(COOKIE, pack_id, max_age=age, httponly=True, samesite="Lax",
                        secure=secure)
    if PACK_ID.match(pack_id):
        ids_ = [pack_id, *[i for i in remembered_ids(remembered) if i != pack_id]]
        response.set_cookie(UPLOADS_COOKIE, ".".join(ids_[:MAX_REMEMBERED]), max_age=age,
                            httponly=True, samesite="Lax", secure=secure)


def remembered_ids(cookie: str | None) -> list[str]:
    """The well-formed pack ids in a browser's list of its own packs."""
    return [i for i in (cookie or "").split(".") if PACK_ID.match(i)][:MAX_REMEMBERED]
