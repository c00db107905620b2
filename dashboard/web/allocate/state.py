"""What the allocate page is showing, resolved once from its address or its controls.

:class:`Shares` is how one team or budget is shared (its total, core, need weighting, minimum
and rounding), named as in the page's address; :func:`resolve` gives the frozen
:class:`AllocatePage` with every default chosen here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dashboard.engine import allocation
from dashboard.engine.allocation import CORE_METHODS, AllocationError, Resource
from dashboard.engine.geography import Geography
from dashboard.web import ids, reference
from dashboard.web.common import controls

# The controls that say how a resource is shared, keyed as Shares' fields and the address.
SHARES = {"total": ids.ALLOC_TOTAL, "core": ids.ALLOC_CORE_METHOD,
          "core_share": ids.ALLOC_CORE_SHARE, "core_amount": ids.ALLOC_CORE_AMOUNT,
          "need": ids.ALLOC_NEED, "w": ids.ALLOC_WEIGHT, "minimum": ids.ALLOC_MINIMUM,
          "rounding": ids.ALLOC_ROUNDING}
ROUNDINGS = ("none", "0.1", "1")


def _num(value, default):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class Shares:
    """How the page shares a resource: values as the controls hold them."""

    total: float | None
    core: str | None
    core_share: float | None
    core_amount: float | None
    need: str | None  # an indicator, an age band, or "none" (per head)
    w: float | None  # need weight, 0 (per head) to 1 (by need)
    minimum: float | None
    rounding: str | None  # "none", "0.1" or "1"

    @classmethod
    def of(cls, values: dict) -> Shares:
        return cls(**{k: values.get(k) for k in SHARES})

    @classmethod
    def of_resource(cls, res: Resource) -> Shares:
        """The pack's own settings for ``res``."""
        return cls(res.total, res.core_method, res.core_share, res.core_amount,
                   res.need or "none", res.need_weight, res.minimum,
                   controls.rounding_value(res.rounding))

    def resource(self, geo: Geography, name: str) -> Resource:
        """The pack's resource ``name`` with these settings; the engine checks the numbers."""
        base = next((r for r in allocation.offered(geo.resources) if r.name == name), None)
        if base is None:
            raise AllocationError(f"The pack has no resource '{name}'.")
        return dataclasses.replace(
            base, total=self.total, core_method=self.core, core_share=self.core_share or 0.0,
            core_amount=self.core_amount or 0.0, need=None if self.need == "none" else self.need,
            need_weight=self.w or 0.0, minimum=self.minimum or 0.0,
            rounding=None if self.rounding in (None, "none") else float(self.rounding))

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def need_choices(geo: Geography) -> list[dict]:
    """Need indicators, then age bands (their share of residents), then none (per head)."""
    labels = geo.metadata.get("age_band_labels", {})
    return ([{"label": geo.need_labels.get(k, k), "value": k} for k in geo.need]
            + [{"label": f"{labels.get(k, k)} (share of residents)", "value": k}
               for k in geo.age_bands]
            + [{"label": "None: per head", "value": "none"}])


@dataclass(frozen=True)
class AllocatePage:
    geo: Geography
    offered: tuple[Resource, ...]
    resource: Resource
    layer: str
    areas: list[dict]  # footprint layers
    needs: list[dict]
    shares: Shares
    others: list[dict]  # layers the allocation can be re-expressed on
    reexpress: str | None


def _shares(query: dict, res: Resource, needs: list[dict]) -> Shares:
    """The address's settings where they make sense, else the resource's own."""
    own = Shares.of_resource(res)
    return Shares(
        total=_num(query.get("total"), own.total),
        core=query.get("core") if query.get("core") in CORE_METHODS else own.core,
        core_share=_num(query.get("core_share"), own.core_share),
        core_amount=_num(query.get("core_amount"), own.core_amount),
        need=query.get("need") if query.get("need") in [o["value"] for o in needs]
        else own.need,
        w=_num(query.get("w"), own.w), minimum=_num(query.get("minimum"), own.minimum),
        rounding=query.get("rounding") if query.get("rounding") in ROUNDINGS else own.rounding)


def resolve(query: dict) -> AllocatePage:
    """The page for this address (``layer``, ``resource``, ``reexpress`` and the Shares keys)."""
    geo = reference.geography()
    offered = tuple(allocation.offered(geo.resources))
    res = {r.name: r for r in offered}.get(query.get("resource")) or offered[0]
    areas = controls.layer_options(geo, with_small_areas=False)
    names = [o["value"] for o in areas]
    current = geo.current_allocations
    recorded = current.loc[current["resource"] == res.name, "layer"] if current is not None \
        else []
    layer = query.get("layer")
    layer = layer if layer in names else (recorded.iloc[0] if len(recorded) else names[0])
    needs = need_choices(geo)
    # PCNs first: "what each PCN's population receives from place-based teams".
    others = sorted((o for o in areas if o["value"] != layer),
                    key=lambda o: geo.layer(o["value"]).kind != "registration")
    reexpress = query.get("reexpress")
    reexpress = reexpress if reexpress in [o["value"] for o in others] else (
        others[0]["value"] if others else None)
    return AllocatePage(geo=geo, offered=offered, resource=res, layer=layer, areas=areas,
                        needs=needs, shares=_shares(query, res, needs), others=others,
                        reexpress=reexpress)
