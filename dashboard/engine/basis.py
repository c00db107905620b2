"""Count people as residents (the census-based default) or as patients on GP lists.

Registered patients differ from residents: lists carry people who have moved away or died
("list inflation") and miss people not registered, so primary care plans often count patients
while councils count residents. A registered-patient geography is the same borough with each
small area's population replaced by the patients registered from it; every overlap, split and
need-weighted figure then follows from the same small-area arithmetic.
"""

from __future__ import annotations

import dataclasses

from dashboard.engine.derived import Derived
from dashboard.engine.geography import Geography, grouping_key
from dashboard.errors import LayerError

BASES = {"residents": "Residents", "registered": "Registered patients"}


def registered_layer(geo: Geography) -> str | None:
    """The registration layer whose lists give registered patients, if the pack has one."""
    return next(iter(geo.registered_patients), None)


def on_basis(geo: Geography, basis: str = "residents") -> Geography:
    """``geo`` counting people by ``basis``: ``"residents"`` (unchanged) or ``"registered"``.

    The registered geography has no age bands (they describe residents) and its own memo, since
    every cached overlap depends on the population; atoms and layers are shared.
    """
    if basis == "residents":
        return geo
    if basis != "registered":
        raise LayerError(f"Unknown population basis '{basis}'; use one of: "
                         f"{', '.join(BASES)}.")
    layer = registered_layer(geo)
    if layer is None:
        raise LayerError(
            "This pack has no published GP registrations (PCN footprints are absent or "
            "estimated), so people can only be counted as residents. Import the NHS England "
            "'Patients Registered at a GP Practice' LSOA file to count registered patients.")
    return geo.derived.get(("basis", basis, grouping_key(geo)), lambda: dataclasses.replace(
        geo, population=geo.registered_patients[layer], age_bands={}, derived=Derived(),
        name=f"{geo.name} (registered patients)"))
