"""Brackmoor's invented towns, estates, places, districts and hubs, and how its wards, PCNs
and practices are named. Every name here is made up."""

from __future__ import annotations

import math

import numpy as np

CENTRE = (415_000.0, 415_000.0)


# name, offset from centre (km), population pull, spread (km), need pull
TOWNS = [
    ("Brackmoor", (0.0, 0.0), 5.0, 2.6, 26.0),
    ("Ashcombe", (-7.5, 3.0), 2.2, 1.6, 14.0),
    ("Thornley", (6.0, -3.5), 2.6, 1.7, 22.0),
    ("Kelbridge", (8.0, 4.0), 1.6, 1.3, 8.0),
    ("Stanwick", (-5.0, -5.0), 1.4, 1.3, 6.0),
    ("Holme Edge", (-10.5, -1.0), 0.5, 0.8, 0.0),
    ("Fellside", (2.0, 6.5), 0.5, 0.9, 0.0),
    ("Upper Wrenfold", (11.5, -1.0), 0.4, 0.7, 0.0),
]


ESTATES = [  # name, offset (km), need pull, spread (km)
    ("Ridgeway", (2.2, -1.6), 30.0, 0.7),
    ("Moss Lane", (6.9, -2.6), 28.0, 0.6),
]


PLACES = [  # anchor offset (km), name
    ((0.0, 2.0), "Brackmoor North"),
    ((0.5, -1.5), "Brackmoor Central"),
    ((1.5, 6.0), "Brackmoor Rural"),
    ((-8.0, 2.0), "Ashcombe Valley"),
    ((6.5, -3.5), "Thornley"),
    ((9.5, 3.5), "Kelbridge and Wrenfold"),
    ((-5.0, -5.5), "Stanwick and Holme"),
]


DISTRICTS = [
    ((0.0, 6.0), "North District"),
    ((0.0, -6.0), "South District"),
    ((9.0, 0.0), "East District"),
    ((-8.0, 0.0), "West District"),
    ((0.5, 0.0), "Central District"),
]


HUBS = [  # code, name, type, offset (km), staff, place served (two sit just over its border)
    ("H01", "Brackmoor Civic Centre", "main", (0.2, 0.1), 38, "PP02"),
    ("H02", "Thornley Town Hall", "main", (6.1, -3.3), 24, "PP05"),
    ("H03", "Ashcombe Town Hall", "main", (-7.4, 3.1), 21, "PP04"),
    ("H04", "Kelbridge Town Hall", "main", (8.1, 4.1), 17, "PP06"),
    ("H05", "Ridgeway Estate Shopfront", "community", (2.3, -1.7), 9, "PP02"),
    ("H06", "Moss Lane Community Centre", "community", (6.8, -2.7), 7, "PP05"),
    ("H07", "Stanwick Library Hub", "community", (-5.1, -4.9), 5, "PP07"),
    ("H08", "Fellside Village Hall", "community", (2.1, 6.4), 3, "PP03"),
    ("H09", "Brackmoor Family Hub", "community", (-0.9, 1.2), 6, "PP01"),
]


SURGERY_WORDS = [
    "Albion", "Beech", "Bridge", "Castle", "Chapel", "Church", "Clough", "Dale", "Elm", "Fold",
    "Garden", "Green", "Hall", "Heath", "High Street", "Hill", "Holly", "Kings", "Lark", "Laurel",
    "Lime", "Lodge", "Manor", "Market", "Meadow", "Mill", "Moor", "New Road", "Oak", "Orchard",
    "Park", "Priory", "Queens", "Ridge", "River", "Rose", "Station", "Spring", "Tower", "Vale",
    "Victoria", "Well", "West End", "Willow", "Wood", "Yew",
]


SURGERY_KINDS = ["Surgery", "Medical Centre", "Health Centre", "Medical Practice"]


RURAL_WARDS = ["Holme and Moorside", "Fellside and Crag", "Wrenfold Moor", "Stanwick Fields",
               "Lowfold", "Greystone", "Birkcliffe"]


def _km(offset: tuple[float, float]) -> tuple[float, float]:
    return CENTRE[0] + offset[0] * 1000, CENTRE[1] + offset[1] * 1000


def _direction(dx: float, dy: float) -> str:
    if math.hypot(dx, dy) < 1200:
        return "Central"
    ang = math.degrees(math.atan2(dy, dx)) % 360
    return ["East", "North East", "North", "North West", "West", "South West", "South",
            "South East"][int(((ang + 22.5) % 360) // 45)]


def _ward_names(centres: np.ndarray) -> list[str]:
    names, used, rural = [], set(), iter(RURAL_WARDS)
    for x, y in centres:
        t, far = _nearest_town(x, y, TOWNS)
        if far > 4500 or t >= 5:
            name = next(rural)
        else:
            name = f"{TOWNS[t][0]} {_heading(x, y, TOWNS[t])}"
            i = 2
            while name in used:
                name = f"{TOWNS[t][0]} {_heading(x, y, TOWNS[t])} {'I' * i}"
                i += 1
        used.add(name)
        names.append(name)
    return names


def _nearest_town(x: float, y: float, towns: list) -> tuple[int, float]:
    """The nearest town's position in ``towns`` and its distance (m)."""
    dists = [math.hypot(x - _km(off)[0], y - _km(off)[1]) for _, off, *_ in towns]
    t = int(np.argmin(dists))
    return t, dists[t]


def _heading(x: float, y: float, town) -> str:
    """Where (x, y) lies from ``town``'s centre: Central, North, South East, ..."""
    cx, cy = _km(town[1])
    return _direction(x - cx, y - cy)


def _pcn_names(prac_xy: np.ndarray, pcn_of: np.ndarray, list_size: np.ndarray) -> list[str]:
    names, used = [], set()
    for p in range(int(pcn_of.max()) + 1):
        m = pcn_of == p
        x, y = np.average(prac_xy[m], axis=0, weights=np.maximum(list_size[m], 1))
        # PCNs take the names of the towns their practices serve.
        town = TOWNS[_nearest_town(x, y, TOWNS[:5])[0]]
        name = f"{town[0]} {_heading(x, y, town)} PCN"
        if name in used:
            name = f"{town[0]} Health Partnership PCN"
        k = 2
        while name in used:
            name = f"{town[0]} Care Network {k} PCN"
            k += 1
        used.add(name)
        names.append(name)
    return names


def _density(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    d = np.full_like(x, 0.06)
    for _, off, pull, spread, _ in TOWNS:
        cx, cy = _km(off)
        d += pull * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (spread * 1000) ** 2))
    return d


def _need(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    n = np.full_like(x, 9.0)
    for _, off, _, spread, pull in TOWNS:
        cx, cy = _km(off)
        n += pull * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (spread * 700) ** 2))
    for _, off, pull, spread in ESTATES:
        cx, cy = _km(off)
        n += pull * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * (spread * 1000) ** 2))
    return n
