"""What a report holds, independent of how it is drawn: headline figures, sentences, tables,
maps and the footer of method and sources. Every figure is already written as the reader sees
it, so the PDF and the printable page show the same text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Figures:
    """Headline figures in boxes: (value, label, note) each."""

    items: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Text:
    """A titled list of sentences (bullets) or one paragraph each."""

    heading: str
    lines: tuple[str, ...]
    bullets: bool = True


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``numeric`` marks right-aligned columns."""

    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    note: str = ""
    widths: tuple[float, ...] = ()  # relative column widths; equal when empty


@dataclass(frozen=True)
class Picture:
    """A map as a PNG with the words a screen reader (and a PDF's tags) give instead."""

    png: bytes
    alt: str
    caption: str


@dataclass(frozen=True)
class Beside:
    """A map with text beside it (on paper); stacked on narrow screens."""

    picture: Picture
    text: Text


@dataclass(frozen=True)
class Footer:
    method: str
    sources: tuple[str, ...]
    attributions: tuple[str, ...]
    pack: str
    date: str
    address: str


@dataclass(frozen=True)
class Report:
    """One report: a footprint's page(s) or the borough summary. ``notices`` are the labels
    a reader must not miss (fictional data, estimated or user-defined footprints)."""

    title: str
    subtitle: str
    notices: tuple[str, ...]
    blocks: tuple
    footer: Footer
    # Blocks after which the summary starts a new page (indexes into ``blocks``).
    breaks: tuple[int, ...] = field(default=())


# How figures are written, in one place so that tests can write the engine's figures the same way.

def people(value: float) -> str:
    return f"{value:,.0f}"


def share(value: float, places: int = 0) -> str:
    return f"{value:.{places}%}" if math.isfinite(value) else "–"


def amount(value: float, unit: str, signed: bool = False, bare: bool = False) -> str:
    """An amount of a team or budget: '£1,234' or '12.3 FTE' ('+'/'−' when ``signed``; no unit
    but £ when ``bare``, for columns whose heading names it)."""
    if not math.isfinite(value):
        return "not recorded"
    sign = ("+" if value > 0 else "−" if value < 0 else "") if signed else ""
    size = abs(value) if signed else value
    if unit == "£":
        return f"{sign}£{size:,.0f}"
    return f"{sign}{size:,.1f}" if bare else f"{sign}{size:,.1f} {unit}".strip()


def score(value: float) -> str:
    return f"{value:.2f}"
