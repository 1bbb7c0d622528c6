"""Distances on the earth's surface for the check-in geofence (pure; no Django import)."""

import math

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def valid_coordinates(latitude: float, longitude: float) -> bool:
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90.0 <= latitude <= 90.0
        and -180.0 <= longitude <= 180.0
    )


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points given in degrees."""
    for lat, lon in ((lat1, lon1), (lat2, lon2)):
        if not valid_coordinates(lat, lon):
            raise ValueError("coordinates out of range")
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def within_radius(centre: tuple[float, float], point: tuple[float, float], radius_m: float) -> bool:
    """Whether `point` lies within `radius_m` metres of `centre` (both (lat, lon))."""
    return haversine_m(centre[0], centre[1], point[0], point[1]) <= radius_m
