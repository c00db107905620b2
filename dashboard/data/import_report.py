"""The import's report, and reading an input so that its source is recorded under the user's name."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.data import recognise as rec
from dashboard.data import vintage


@dataclass
class Report:
    """What the import found: printed for people and saved as JSON in the pack."""

    matches: list[str] = field(default_factory=list)
    reprojections: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, float] = field(default_factory=dict)
    sources: list[dict[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.sources:
            out.append("Sources:")
            out += [f"  - {s['title']}: {s['role']}; {s['vintage']}"
                    + (f"; {s['publisher']}" if s.get("publisher") else "")
                    for s in self.sources]
        for title, items in (("Matches", self.matches), ("Reprojections", self.reprojections),
                             ("Geometry repairs", self.repairs), ("Coverage", self.coverage),
                             ("Warnings", self.warnings)):
            if items:
                out.append(f"{title}:")
                out += [f"  - {item}" for item in items]
        out.append("Counts: " + ", ".join(f"{k} {v:,.0f}" for k, v in self.counts.items()))
        return out

    def to_json(self) -> str:
        return json.dumps({"matches": self.matches, "reprojections": self.reprojections,
                           "geometry_repairs": self.repairs, "coverage": self.coverage,
                           "warnings": self.warnings, "counts": self.counts,
                           "sources": self.sources}, indent=2, ensure_ascii=False)


def read_input(path: Path, role: str, sources: list[vintage.Source]) -> pd.DataFrame:
    """Read a table input and record its source (the user's file name, vintage, publisher)."""
    frame = rec.read_table(path)
    sources.append(vintage.table(role, display_name(path), frame))
    return frame


def display_name(path: Path) -> str:
    """The user's name for an input file (``FILE.xlsx:SHEET`` keeps its sheet)."""
    return Path(str(path)).name
