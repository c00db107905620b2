"""What the redraw page is showing, resolved once from its address or its controls.

:func:`resolve` turns a page's query (``layer``, ``scenario``, ``new``, ``footprints``) into a
frozen :class:`RedrawPage` with every default chosen here; the layout only draws it.
:class:`Judging` is the four settings a draft is judged by, as the callbacks receive them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dashboard.engine import drafts
from dashboard.engine.balance import DEFAULT_TOLERANCE, Balance, balance
from dashboard.engine.drafts import Draft, EditError
from dashboard.engine.geography import Geography
from dashboard.errors import DashboardError
from dashboard.scenarios import Scenario, ScenarioError
from dashboard.uploads import RESERVED
from dashboard.web import ids, reference
from dashboard.web.common import controls, scenarios

# The controls a draft is judged by, keyed as Judging's fields (callbacks group them so).
JUDGING = {"against": ids.REDRAW_AGAINST, "need": ids.REDRAW_NEED,
           "tolerance": ids.REDRAW_TOLERANCE, "resource": ids.REDRAW_RESOURCE}
NEW_LABEL = "New footprints"
NEW_NAMES = [f"Footprint {i}" for i in range(1, 6)]


@dataclass(frozen=True)
class Judging:
    """The lines footprints should follow, the need indicator, the population band (percent of
    the target) and the team or budget allocated ("none" for none)."""

    against: str
    need: str | None
    tolerance: float | str | None
    resource: str | None

    @classmethod
    def of(cls, values: dict) -> Judging:
        return cls(**{k: values.get(k) for k in JUDGING})

    def band(self) -> float:
        """The band as a fraction, with a message for anything that is not a number."""
        try:
            return float(self.tolerance) / 100
        except (TypeError, ValueError):
            raise EditError("Give the population band as a number of percent, e.g. 10.") from None

    def resource_of(self, geo: Geography):
        return next((r for r in geo.resources if r.name == self.resource), None)

    def judge(self, geo: Geography, draft: Draft) -> Balance:
        return balance(geo, draft, self.against, self.need, self.band(), self.resource_of(geo))

    def to_json(self) -> dict:
        return asdict(self)


def hosted(data) -> Geography:
    """The request's pack, with the layer being made when the draft is of a new one."""
    return drafts.host(reference.geography(), data)


def read_only(opened) -> bool:
    return bool(opened and opened.get("readonly"))


def refuse_read_only() -> None:
    raise EditError("This shared scenario is read-only; press 'Edit this scenario' first.")


@dataclass(frozen=True)
class RedrawPage:
    """Everything the redraw layout draws: the pack (hosting a layer being made), the draft,
    the scenario opened by the address, and the chosen settings and options."""

    geo: Geography
    draft: Draft
    problem: str | None
    opened: dict | None
    judging: Judging
    others: list[dict]  # layers the footprints may follow
    resources: list[dict]
    saved: list[dict]  # this browser's scenarios on this pack and layer
    compare_choices: list[dict]
    store_problem: str | None

    @property
    def layer(self):
        return self.geo.layer(self.draft.layer)

    @property
    def member(self):
        return self.geo.layer(self.layer.member_of)

    @property
    def groupings(self) -> list[str]:
        return [n for n, lay in self.geo.layers.items() if lay.kind == "grouping"]

    @property
    def context(self) -> str:
        """Whose unsaved draft this page shows: pack, layer and scenario."""
        return f"{reference.pack_key()}|{self.draft.layer}|{self.opened['id'] if self.opened else ''}"


def opened_scenario(geo: Geography, scenario_id: str | None
                    ) -> tuple[tuple[Scenario, Draft] | None, str | None]:
    """The shared scenario named in the address (read-only), or None; errors are shown inline."""
    if not scenario_id:
        return None, None
    try:
        found = reference.shared_scenario(scenario_id)
    except ScenarioError as exc:
        return None, str(exc)
    try:
        draft = drafts.from_json(geo, found.payload["draft"])
    except DashboardError as exc:
        return None, f"'{found.name}' no longer fits this pack: {exc}"
    return (found, draft), None


def starting_draft(geo: Geography, layer: str | None, new: str | None,
                   footprints: str | None) -> tuple[Draft, str | None]:
    """The draft a page opens on: a new layer named in the address, the chosen grouping, or,
    when the pack has none, a new layer with every ward unassigned. Returns it and any problem
    with the address's new layer."""
    groupings = [n for n, lay in geo.layers.items() if lay.kind == "grouping"]
    taken = [*geo.layers, *RESERVED]
    problem = None
    if new:
        try:
            return drafts.blank(geo, drafts.layer_key(new, taken), new,
                                (footprints or "").splitlines()), None
        except DashboardError as exc:
            problem = str(exc)
    if groupings and not new:
        return drafts.start(geo, layer if layer in groupings else groupings[0]), None
    return drafts.blank(geo, drafts.layer_key(NEW_LABEL, taken), NEW_LABEL, NEW_NAMES), problem


def follow_options(geo: Geography, layer: str) -> list[dict]:
    """Layers a grouping's footprints may follow: every other area layer but its own wards,
    or the wards themselves in a pack of wards alone."""
    lay = geo.layer(layer)
    others = [{"label": g.label, "value": n} for n, g in geo.layers.items()
              if n != layer and g.kind in ("registration", "polygons", "grouping")
              and n != lay.member_of]
    return others or [{"label": geo.layer(lay.member_of).label, "value": lay.member_of}]


def _judging(geo: Geography, others: list[dict], resources: list[dict], kept: dict) -> Judging:
    """The settings a saved scenario kept, where they still fit the pack, else the defaults:
    registrations (PCNs) to follow, the first need indicator, ±10%, the first resource."""
    values = {o["value"] for o in others}
    against = kept.get("against") if kept.get("against") in values else next(
        (o["value"] for o in others if geo.layer(o["value"]).kind == "registration"),
        others[0]["value"])
    resource = kept.get("resource") if kept.get("resource") in {
        o["value"] for o in resources} else (geo.resources[0].name if geo.resources else "none")
    return Judging(against=against, need=controls.need_default(geo, kept.get("need")),
                   tolerance=kept.get("tolerance", DEFAULT_TOLERANCE * 100), resource=resource)


def resolve(layer: str | None = None, scenario: str | None = None, new: str | None = None,
            footprints: str | None = None) -> RedrawPage:
    """The page for this address, on the request's pack."""
    geo = reference.geography()
    found, problem = opened_scenario(geo, scenario)
    if found:
        draft = found[1]
    else:  # a link to a scenario that cannot be opened says so over the pack's footprints
        draft, start_problem = starting_draft(geo, layer, new, footprints)
        problem = problem or start_problem
    geo = drafts.host(geo, draft)  # a layer being made is drawn like the pack's own
    others = follow_options(geo, draft.layer)
    resources = [{"label": "None", "value": "none"}] + [
        {"label": r.title, "value": r.name} for r in geo.resources]
    kept = found[0].payload.get("settings", {}) if found else {}
    saved, choices, store_problem = scenarios.scenario_options(
        reference.scenarios(), reference.pack_key(), draft.layer)
    return RedrawPage(geo=geo, draft=draft, problem=problem,
                      opened=scenarios.opened_state(found[0], readonly=True) if found else None,
                      judging=_judging(geo, others, resources, kept), others=others,
                      resources=resources, saved=saved, compare_choices=choices,
                      store_problem=store_problem)
