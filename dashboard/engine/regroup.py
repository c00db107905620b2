"""Change which groups a grouping layer's members belong to, without touching geometry.

A regrouped geography shares its atoms and its memo of base-layer overlaps with the original, so
every figure for the new footprints is a product of small matrices: this is what live editing
stands on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from dashboard.engine.geography import Geography, Layer, LazyGeometry, frozen_array
from dashboard.errors import LayerError


def regroup(
    geo: Geography,
    layer: str,
    membership: Mapping[str, str],
    group_names: Mapping[str, str] | None = None,
) -> Geography:
    """Return a copy of ``geo`` in which grouping ``layer`` has the given memberships.

    Parameters
    ----------
    geo
        The loaded geography; it is not changed.
    layer
        Name of a grouping layer, e.g. ``"places"``.
    membership
        Member code -> group code for the members that move (others keep their group). A group
        code the layer does not have yet creates a new group.
    group_names
        Names for new groups (a new group without a name is named by its code).

    Returns
    -------
    Geography
        A new geography; groups left empty stay in the layer with zero population.

    Examples
    --------
    >>> moved = regroup(geo, "places", {"E05900004": "PL02"})  # doctest: +SKIP
    """
    group = geo.layer(layer)
    if group.kind != "grouping":
        raise LayerError(
            f"Layer '{layer}' is a {group.kind} layer; only grouping layers (such as places "
            "made of wards) can be regrouped."
        )
    member = geo.layer(group.member_of)
    codes = list(group.codes)
    names = list(group.names)
    index = dict(group.positions)
    member_index = member.positions
    new = np.array(group.membership, copy=True)
    group_names = group_names or {}
    for member_code, group_code in membership.items():
        member_code, group_code = str(member_code), str(group_code)
        if member_code not in member_index:
            raise LayerError(
                f"'{member_code}' is not a unit of layer '{member.name}', so it cannot be moved "
                f"between {group.label.lower()}; check the code."
            )
        if not group_code:
            raise LayerError(f"Unit '{member_code}' was given an empty group code.")
        if group_code not in index:
            index[group_code] = len(codes)
            codes.append(group_code)
            names.append(str(group_names.get(group_code, group_code)))
        new[member_index[member_code]] = index[group_code]
    regrouped = dataclasses.replace(
        group, codes=tuple(codes), names=tuple(names), membership=frozen_array(new)
    )
    return _with_layer(geo, regrouped)


def with_groups(geo: Geography, layer: str, groups: Mapping[str, str],
                assignment: Mapping[str, str]) -> Geography:
    """A copy of ``geo`` whose grouping ``layer`` has exactly ``groups`` (code -> name, in order)
    and every member in ``assignment``'s group; members not named keep their current group's
    code, which must be one of ``groups``."""
    group = geo.layer(layer)
    current = membership_of(geo, layer)
    index = {str(c): i for i, c in enumerate(groups)}
    member = geo.layer(group.member_of)
    try:
        new = [index[str(assignment.get(m, current[m]))] for m in member.codes]
    except KeyError as exc:
        raise LayerError(f"Footprint {exc} is not one of {', '.join(index)}.") from None
    regrouped = dataclasses.replace(group, codes=tuple(index), names=tuple(map(str, groups.values())),
                                    membership=frozen_array(new, dtype=int))
    return _with_layer(geo, regrouped)


UNASSIGNED = "UNASSIGNED"  # the group every ward of a layer being made starts in


def add_grouping(geo: Geography, name: str, label: str, member_of: str,
                 groups: Mapping[str, str], fill: str) -> Geography:
    """A copy of ``geo`` with a new grouping ``name`` of ``member_of`` whose groups are
    ``groups`` (code -> name, in order, empty ones kept) and every member in group ``fill``."""
    if name in geo.layers:
        raise LayerError(f"The pack already has a layer '{name}'; choose another name.")
    member = geo.layer(member_of)
    codes = [str(c) for c in groups]
    if fill not in codes:
        raise LayerError(f"Footprint '{fill}' is not one of {', '.join(codes)}.")
    layer = Layer(name=name, label=label, kind="grouping", codes=tuple(codes),
                  names=tuple(map(str, groups.values())), member_of=member_of,
                  membership=frozen_array([codes.index(fill)] * len(member), dtype=int))
    return _with_layer(geo, layer)


def _with_layer(geo: Geography, layer: Layer) -> Geography:
    layers = dict(geo.layers)
    layers[layer.name] = layer
    # The dissolved outline of the old groups no longer applies; maps draw members by group.
    shapes = geo.layer_geometry
    geometry = shapes.without(layer.name) if isinstance(shapes, LazyGeometry) else \
        {k: v for k, v in shapes.items() if k != layer.name}
    return dataclasses.replace(geo, layers=layers, layer_geometry=geometry)


def membership_of(geo: Geography, layer: str) -> dict[str, str]:
    """Member code -> group code of a grouping layer, as a plain dict (e.g. to store or export)."""
    group = geo.layer(layer)
    if group.kind != "grouping":
        raise LayerError(f"Layer '{layer}' is not a grouping layer.")
    member = geo.layer(group.member_of)
    return {m: group.codes[g] for m, g in zip(member.codes, group.membership)}
