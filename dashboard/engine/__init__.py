"""Pure computation on a borough's geography: atoms, overlaps, mismatch, regrouping.

Nothing here imports Dash; every function takes a :class:`Geography` and returns new objects.
"""

from dashboard.engine.basis import BASES, on_basis
from dashboard.engine.geography import Geography, Layer
from dashboard.engine.mismatch import Mismatch, mismatch
from dashboard.engine.overlaps import METHODS, Overlap, overlap, unit_totals
from dashboard.engine.regroup import membership_of, regroup

__all__ = [
    "BASES",
    "METHODS",
    "Geography",
    "Layer",
    "Mismatch",
    "Overlap",
    "membership_of",
    "mismatch",
    "on_basis",
    "overlap",
    "regroup",
    "unit_totals",
]
