"""Map label glyphs made here, so labels draw offline without a font server.

MapLibre draws text from signed-distance-field (SDF) glyph sheets fetched as protobuf files, one
per block of 256 code points, from the style's ``glyphs`` URL. Plotly's default points at a public
server, which fails offline. This module renders the font Pillow embeds (Aileron Regular, public
domain under CC0) into the same format: each glyph bitmap padded by 3 px, 24 px high, distances
scaled so that 192 marks the outline, as MapLibre's shaders expect. Every font name a style asks
for gets the same face; no requested name ever reaches the file system.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import ImageFont
from scipy import ndimage

SIZE = 24  # MapLibre's glyph sheets are made at 24 px
BUFFER = 3
RADIUS = 8.0
CUTOFF = 0.25
TOP_OFFSET = 27  # MapLibre places a glyph by its ink top above the baseline, less this


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, value) -> bytes:
    """One protobuf field: ints as varints, bytes and str length-delimited."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _zigzag(value: int) -> int:
    return (value << 1) ^ (value >> 31)


def _sdf(alpha: np.ndarray) -> np.ndarray:
    """Signed distance field of a glyph mask, padded by BUFFER pixels, as MapLibre reads it."""
    padded = np.pad(alpha, BUFFER)
    inside = padded > 127
    if not inside.any():
        return np.zeros(padded.shape, dtype=np.uint8)
    outside_distance = ndimage.distance_transform_edt(~inside)
    inside_distance = ndimage.distance_transform_edt(inside)
    signed = outside_distance - inside_distance
    return np.clip(np.round(255 - 255 * (signed / RADIUS + CUTOFF)), 0, 255).astype(np.uint8)


def _glyph(font: ImageFont.FreeTypeFont, code: int, ascent: int) -> bytes | None:
    char = chr(code)
    advance = round(font.getlength(char))
    mask, (left, top) = font.getmask2(char, mode="L")
    width, height = mask.size
    fields = [_field(1, code)]
    if width and height:
        alpha = np.asarray(mask, dtype=np.uint8).reshape(height, width)
        fields.append(_field(2, _sdf(alpha).tobytes()))
    fields += [_field(3, width), _field(4, height), _field(5, _zigzag(left)),
               _field(6, _zigzag(ascent - top - TOP_OFFSET)), _field(7, advance)]
    return b"".join(fields)


@lru_cache(maxsize=8)
def glyph_range(start: int, fontstack: str = "Aileron Regular") -> bytes:
    """The protobuf glyph sheet for code points ``start`` to ``start + 255``.

    Cached per process: the output depends only on the arguments and the bundled font.
    """
    if start < 0 or start % 256 or start > 65280:
        raise ValueError(f"Glyph ranges start at a multiple of 256 up to 65280; got {start}.")
    font = ImageFont.load_default(size=SIZE)
    ascent = font.getmetrics()[0]
    glyphs = []
    for code in range(max(start, 32), start + 256):
        if 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
            continue  # control characters and surrogates draw nothing
        glyphs.append(_field(3, _glyph(font, code, ascent)))
    stack = _field(1, fontstack) + _field(2, f"{start}-{start + 255}") + b"".join(glyphs)
    return _field(1, stack)
