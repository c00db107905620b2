"""Exceptions raised for bad data packs and bad requests.

Every message names the file, column or code at fault and says what to do about it.
"""

from __future__ import annotations


class DashboardError(Exception):
    """Base class for every error this project raises on purpose."""


class DataPackError(DashboardError):
    """A data pack (manifest or one of its files) cannot be used as it is."""


class ManifestError(DataPackError):
    """The manifest is missing, unreadable, or declares something impossible."""


class DataFileError(DataPackError):
    """A data file is missing, empty, unreadable or lacks a required column."""


class CodeError(DataPackError):
    """Codes are duplicated, mangled (lost a leading zero, became numbers) or unmatched."""


class GeometryError(DataPackError):
    """Geometry is in the wrong coordinate system, invalid beyond safe repair, or does not overlap."""


class LayerError(DashboardError):
    """A request names a layer, method or indicator that the loaded pack does not have."""
