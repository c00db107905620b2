"""Place alignment dashboard: wards, PCN footprints, place partnerships and hubs on one map."""

__version__ = "0.1.0"
