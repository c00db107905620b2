"""What the hubs page is showing, resolved once from its address or its controls.

:func:`resolve` turns the page's query (``scenario``, ``layer``) into a frozen
:class:`HubsPage` with every default chosen here; :class:`HubSettings` is the four settings
hubs are judged by, as the callbacks receive them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dashboard.engine import drafts, hubplan
from dashboard.engine.access import DEFAULT_BANDS_M, Access, access
from dashboard.engine.drafts import EditError
from dashboard.engine.geography import Geography
from dashboard.engine.hubplan import HubPlan
from dashboard.errors import DashboardError
from dashboard.scenarios import ScenarioError
from dashboard.web import ids, reference
from dashboard.web.common import controls, mapbase, scenarios

# The controls hubs are judged by, keyed as HubSettings' fields (callbacks group them so).
SETTINGS = {"layer": ids.HUBS_LAYER, "need": ids.HUBS_NEED, "types": ids.HUBS_TYPES,
            "bands": ids.HUBS_BANDS}
MAX_BANDS = 6


def parse_bands(text) -> list[float]:
    """'1, 2, 5' (km) as metres, with a message for anything else."""
    parts = [p.strip() for p in str(text or "").replace(";", ",").split(",") if p.strip()]
    try:
        km = sorted({float(p) for p in parts})
    except ValueError:
        raise EditError(f"Give distances as kilometres separated by commas, e.g. 1, 2, 5 (not "
                        f"'{text}').") from None
    if not km or km[0] <= 0 or km[-1] > 100 or len(km) > MAX_BANDS:
        raise EditError(f"Give 1 to {MAX_BANDS} distances between 0 and 100 km, e.g. 1, 2, 5.")
    return [k * 1000 for k in km]


@dataclass(frozen=True)
class HubSettings:
    """The footprints hubs serve, the need indicator, the hub types that count and the
    distance bands (km, as typed)."""

    layer: str | None
    need: str | None
    types: list | None
    bands: str | None

    @classmethod
    def of(cls, values: dict) -> HubSettings:
        return cls(**{k: values.get(k) for k in SETTINGS})

    def bands_m(self) -> list[float]:
        return parse_bands(self.bands)

    def judge(self, here: Geography, hubs) -> Access:
        """Access to ``hubs`` (a hub table) on ``here``, by these settings."""
        return access(here, hubs, self.need, self.bands_m(), self.layer, self.types)

    def to_json(self) -> dict:
        return asdict(self)


def scenario_geography(geo: Geography, opened: dict | None) -> Geography:
    """The pack, with an opened scenario's footprints in place of its own."""
    if opened and opened.get("draft"):
        return drafts.apply(geo, drafts.from_json(geo, opened["draft"]))
    return geo


def measure(geo: Geography, plan_data: dict, opened: dict | None,
            settings: HubSettings) -> tuple[Geography, HubPlan, Access]:
    """The geography the plan is judged on, the plan, and its access figures."""
    here = scenario_geography(geo, opened)
    plan = hubplan.from_json(plan_data)
    return here, plan, settings.judge(here, plan.table())


def footprint_layers(geo: Geography) -> list[dict]:
    """Area layers a hub can serve, footprints made of wards first (the usual choice)."""
    order = {"grouping": 0, "registration": 1, "polygons": 2}
    layers = [(order[lay.kind], i, n, lay) for i, (n, lay) in enumerate(geo.layers.items())
              if lay.kind in order]
    return [{"label": lay.label, "value": n} for _, _, n, lay in sorted(layers)]


def hub_kinds(plan: HubPlan) -> list[str]:
    """The plan's hub types, the styled ones (main, community) first."""
    return sorted({h.type for h in plan.hubs}, key=lambda t: (t not in mapbase.HUB_STYLE, t))


@dataclass(frozen=True)
class HubsPage:
    """Everything the hubs layout draws."""

    geo: Geography
    plan: HubPlan
    problem: str | None
    opened: dict | None  # with the scenario's footprints under "draft"
    settings: HubSettings
    layers: list[dict]
    kinds: list[str]
    saved: list[dict]
    store_problem: str | None

    @property
    def context(self) -> str:
        """Whose unsaved hub plan this page shows: pack and scenario."""
        return f"{reference.pack_key()}|{self.opened['id'] if self.opened else ''}"


def opened_scenario(geo: Geography, scenario_id: str | None):
    """The scenario named in the address (read-only) with its hub plan, or a message."""
    if not scenario_id:
        return None, None
    try:
        found = reference.shared_scenario(scenario_id)
        plan = hubplan.from_json(found.payload["hubs"]) if "hubs" in found.payload \
            else hubplan.start(geo)
    except (ScenarioError, DashboardError) as exc:
        return None, str(exc)
    return (found, plan), None


def resolve(scenario: str | None = None, layer: str | None = None) -> HubsPage:
    """The page for this address, on the request's pack: a scenario's saved settings win over
    the address, and anything that does not fit the pack falls back to its default."""
    geo = reference.geography()
    found, problem = opened_scenario(geo, scenario)
    plan = found[1] if found else hubplan.start(geo)
    kept = found[0].payload.get("hub_settings", {}) if found else {}
    layers = footprint_layers(geo)
    values = [o["value"] for o in layers]
    layer = kept.get("layer") or layer
    kinds = hub_kinds(plan)
    settings = HubSettings(
        layer=layer if layer in values else (values[0] if values else None),
        need=controls.need_default(geo, kept.get("need")), types=kept.get("types") or kinds,
        bands=kept.get("bands") or ", ".join(f"{b / 1000:g}" for b in DEFAULT_BANDS_M))
    saved, _, store_problem = scenarios.scenario_options(reference.scenarios(),
                                                         reference.pack_key(), None)
    opened = ({**scenarios.opened_state(found[0], readonly=True),
               "draft": found[0].payload["draft"]} if found else None)
    return HubsPage(geo=geo, plan=plan, problem=problem, opened=opened, settings=settings,
                    layers=layers, kinds=kinds, saved=saved, store_problem=store_problem)
