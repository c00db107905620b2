"""The fewest transfers that take every area from its current to its recommended amount."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from dashboard.engine.allocation import Resource

EXACT_TRANSFERS_MAX = 14  # areas with a gap; beyond this, transfers are found greedily


def amount_text(amount: float, unit: str) -> str:
    """£ to the pound; other units (FTE) with a decimal only when there is one."""
    if unit in ("£", "GBP"):
        return f"£{amount:,.0f}"
    return f"{amount:,.{0 if float(amount).is_integer() else 1}f} {unit}"


@dataclass(frozen=True)
class Transfer:
    resource: str
    amount: float
    unit: str
    from_code: str | None  # None: new money or posts
    from_name: str | None
    to_code: str | None  # None: released
    to_name: str | None

    def sentence(self) -> str:
        amount = amount_text(self.amount, self.unit)
        if self.from_code is None:
            return f"Add {amount} of {self.resource} to {self.to_name} (beyond the current total)."
        if self.to_code is None:
            return f"Release {amount} of {self.resource} from {self.from_name}."
        return f"Move {amount} of {self.resource} from {self.from_name} to {self.to_name}."


def minimal_transfers(frame: pd.DataFrame, res: Resource) -> list[Transfer]:
    """The fewest transfers that take every area from its current to its recommended figure.

    Any set of transfers without cross-flows moves the least possible amount (the sum of the
    surpluses); the number of transfers is (areas with a gap) minus (the most groups the gaps
    can be split into that each sum to zero). That grouping is found exactly for up to
    ``EXACT_TRANSFERS_MAX`` areas with a gap, greedily beyond. New or released amounts (when
    the total differs from the current total) come last.
    """
    step = res.rounding or 1e-6
    units = np.rint(frame["gap"].to_numpy() / step).astype(np.int64)
    codes, names = list(frame["code"]), list(frame["name"])
    active = [i for i in np.flatnonzero(units) if units[i] != 0]
    groups = _zero_sum_groups(units, active) if units.sum() == 0 else [active]
    out = []
    for group in groups:
        out += _settle(group, units, step, codes, names, res)
    return out


def _zero_sum_groups(units: np.ndarray, active: list[int]) -> list[list[int]]:
    if len(active) > EXACT_TRANSFERS_MAX:
        return [active]
    n = len(active)
    vals = [int(units[i]) for i in active]
    size = 1 << n
    total = [0] * size
    best = [0] * size
    for mask in range(1, size):
        low = (mask & -mask).bit_length() - 1
        total[mask] = total[mask & (mask - 1)] + vals[low]
        best[mask] = max(best[mask & ~(1 << b)] for b in range(n) if mask >> b & 1) \
            + (total[mask] == 0)
    groups, mask = [], size - 1
    while mask:  # peel off one zero-sum group at a time along an optimal path
        sub = mask
        path = mask
        while True:
            drop = next(b for b in range(n) if path >> b & 1
                        and best[path] == best[path & ~(1 << b)] + (total[path] == 0))
            path &= ~(1 << drop)
            if path == 0 or total[path] == 0:
                break
        groups.append([active[b] for b in range(n) if (sub & ~path) >> b & 1])
        mask = path
    return groups


def _settle(group: list[int], units: np.ndarray, step: float, codes, names,
            res: Resource) -> list[Transfer]:
    """Greedy within one group: the largest surplus pays the largest need, and so on."""
    give = {i: -int(units[i]) for i in group if units[i] < 0}
    take = {i: int(units[i]) for i in group if units[i] > 0}
    out = []
    while give and take:
        a = max(give, key=lambda k: (give[k], -k))
        b = max(take, key=lambda k: (take[k], -k))
        moved = min(give[a], take[b])
        out.append(Transfer(res.title, moved * step, res.unit, codes[a], names[a], codes[b],
                            names[b]))
        for book, key in ((give, a), (take, b)):
            book[key] -= moved
            if book[key] == 0:
                del book[key]
    out += [Transfer(res.title, v * step, res.unit, None, None, codes[b], names[b])
            for b, v in take.items()]
    out += [Transfer(res.title, v * step, res.unit, codes[a], names[a], None, None)
            for a, v in give.items()]
    return out
