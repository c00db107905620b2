"""How badly two layers disagree: per-unit splits and one alignment score per pair.

Notes
-----
For a unit *a* of layer A with population ``P_a`` and overlap populations ``P_ab`` with the units b
of layer B, write ``p_b = P_ab / P_a``.

* best-fit partner: the b with the largest ``P_ab``; *best-fit share* is its ``p_b``;
* pieces: the number of b with ``p_b`` at or above ``threshold`` (default 5%), so slivers of
  boundary noise are not counted as splits;
* population outside: ``P_a - max_b P_ab``;
* split score: ``sum_b sqrt(p_b)``, the square-root-entropy splitting measure Dave's Redistricting
  App uses for county splits. It is 1 for a unit wholly inside one partner and sqrt(k) for a unit
  split evenly into k; the layer's split score is its population-weighted mean (1 is best).

*Nesting* of A in B is the share of all residents who live in their A-unit's best-fit B partner:
``sum_a max_b P_ab / P``. The **alignment score** of a pair is the larger of the two nestings: 1
when one layer's boundaries follow the other's (wards inside places, or identical layers) and
lower as boundaries cut across each other. ``1 - alignment`` is the share of residents who would
have to change unit for the better-nesting layer to fit inside the other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from dashboard.engine.geography import row_max
from dashboard.engine.overlaps import Overlap

DEFAULT_THRESHOLD = 0.05
UNIT_COLUMNS = [
    "code",
    "name",
    "population",
    "best_fit_code",
    "best_fit_name",
    "best_fit_share",
    "pieces",
    "population_outside",
    "share_outside",
    "split_score",
]


@dataclass(frozen=True)
class Mismatch:
    """Mismatch of layer A (``from``) against layer B (``to``), in both directions."""

    from_layer: str
    to_layer: str
    from_units: pd.DataFrame
    to_units: pd.DataFrame
    split_score_from: float
    split_score_to: float
    nesting_from: float
    nesting_to: float
    threshold: float

    @property
    def alignment(self) -> float:
        """The larger nesting: 1 when one layer's boundaries follow the other's."""
        return max(self.nesting_from, self.nesting_to)

    def summary(self) -> dict[str, float | str]:
        return {
            "from_layer": self.from_layer,
            "to_layer": self.to_layer,
            "alignment_score": self.alignment,
            "nesting_from_in_to": self.nesting_from,
            "nesting_to_in_from": self.nesting_to,
            "split_score_from": self.split_score_from,
            "split_score_to": self.split_score_to,
            "piece_threshold": self.threshold,
        }


def _unit_metrics(pop: sparse.csr_matrix, codes, names, partner_codes, partner_names,
                  threshold: float) -> tuple[pd.DataFrame, float, float]:
    """Rows of ``pop`` are the units measured; columns are their partners."""
    pop = sparse.csr_matrix(pop)
    total = np.asarray(pop.sum(axis=1)).ravel()
    best, best_pop = row_max(pop)
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = sparse.diags(np.where(total > 0, 1.0 / total, 0.0)) @ pop
    shares = sparse.csr_matrix(shares)
    pieces = np.asarray((shares >= threshold).sum(axis=1)).ravel()
    split = np.asarray(shares.sqrt().sum(axis=1)).ravel()
    has_people = total > 0
    frame = pd.DataFrame(
        {
            "code": pd.Series(codes, dtype=str),
            "name": list(names),
            "population": total,
            "best_fit_code": pd.Series(
                [partner_codes[k] if h else "" for k, h in zip(best, has_people)], dtype=str
            ),
            "best_fit_name": [partner_names[k] if h else "" for k, h in zip(best, has_people)],
            "best_fit_share": np.where(has_people, best_pop / np.where(has_people, total, 1), 0),
            "pieces": pieces.astype(int),
            "population_outside": total - best_pop,
            "share_outside": np.where(has_people, 1 - best_pop / np.where(has_people, total, 1), 0),
            "split_score": np.where(has_people, split, 1.0),
        },
        columns=UNIT_COLUMNS,
    )
    grand = total.sum()
    score = float((frame["split_score"] * total).sum() / grand) if grand else 1.0
    nesting = float(best_pop.sum() / grand) if grand else 1.0
    return frame, score, nesting


def mismatch(ov: Overlap, threshold: float = DEFAULT_THRESHOLD) -> Mismatch:
    """Per-unit splits of A by B and of B by A, and the pair's alignment score.

    Parameters
    ----------
    ov
        An :class:`~dashboard.engine.overlaps.Overlap` of A with B (either method).
    threshold
        Smallest share of a unit's population that counts as a piece (0 < threshold <= 1).

    Returns
    -------
    Mismatch
        ``from_units`` and ``to_units`` tables sorted worst first (largest share outside), the
        two split scores, the two nestings and :attr:`Mismatch.alignment`.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1]; got {threshold}.")
    a, b = ov.from_layer, ov.to_layer
    from_units, split_from, nest_from = _unit_metrics(
        ov.population, a.codes, a.names, b.codes, b.names, threshold
    )
    to_units, split_to, nest_to = _unit_metrics(
        ov.population.T, b.codes, b.names, a.codes, a.names, threshold
    )
    order = ["share_outside", "population"]
    return Mismatch(
        from_layer=a.name,
        to_layer=b.name,
        from_units=from_units.sort_values(order, ascending=False, kind="stable")
        .reset_index(drop=True),
        to_units=to_units.sort_values(order, ascending=False, kind="stable")
        .reset_index(drop=True),
        split_score_from=split_from,
        split_score_to=split_to,
        nesting_from=nest_from,
        nesting_to=nest_to,
        threshold=threshold,
    )
