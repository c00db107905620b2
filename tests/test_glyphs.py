"""Map label glyphs: a valid MapLibre glyph sheet, served by the app, nothing read from the URL."""

from __future__ import annotations

import pytest

from conftest import DEMO
from dashboard.glyphs import BUFFER, glyph_range


def _fields(data: bytes):
    """Decode a protobuf message into (field number, value) pairs."""
    i = 0

    def varint():
        nonlocal i
        shift = value = 0
        while True:
            byte = data[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    while i < len(data):
        key = varint()
        if key & 7 == 0:
            yield key >> 3, varint()
        else:
            length = varint()
            yield key >> 3, data[i:i + length]
            i += length


def _glyphs(sheet: bytes) -> dict[int, dict]:
    (number, stack), = list(_fields(sheet))
    assert number == 1
    fields = list(_fields(stack))
    assert dict(fields[:2])[2] == b"0-255"
    glyphs = {}
    for number, raw in fields:
        if number == 3:
            g = {}
            for key, value in _fields(raw):
                g[key] = value
            glyphs[g[1]] = g
    return glyphs


def test_glyph_sheet_holds_sdf_bitmaps_of_the_right_size():
    glyphs = _glyphs(glyph_range(0))
    assert {ord(c) for c in "Aa é'-"} <= set(glyphs)
    a = glyphs[ord("A")]
    width, height = a[3], a[4]
    assert 10 < width < 24 and 12 < height < 24
    bitmap = a[2]
    assert len(bitmap) == (width + 2 * BUFFER) * (height + 2 * BUFFER)
    # Distance field: the padded border is outside the letter, its middle row crosses ink.
    assert bitmap[0] < 100 and max(bitmap) > 191
    assert 2 not in glyphs[ord(" ")] and glyphs[ord(" ")][7] > 0  # a space advances, no ink


def test_bad_glyph_ranges_are_refused():
    with pytest.raises(ValueError, match="multiple of 256"):
        glyph_range(100)


def test_app_serves_glyphs_for_any_font_name():
    from dashboard.app import create_app

    client = create_app(DEMO).server.test_client()
    ok = client.get("/_glyphs/Open%20Sans%20Regular,Arial/0-255.pbf")
    assert ok.status_code == 200 and ok.mimetype == "application/x-protobuf"
    assert client.get("/_glyphs/x/0-100.pbf").status_code == 404
    assert client.get("/_glyphs/..%2F..%2Fetc/0-255.pbf").status_code in (200, 404)
    style = client.get("/_style/blank.json").get_json()
    assert style["glyphs"] == "http://localhost/_glyphs/{fontstack}/{range}.pbf"
    assert style["layers"][0]["type"] == "background"
