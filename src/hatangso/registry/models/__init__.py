from .infrastructure import (
    DuctSegment,
    DuctTenancy,
    FibreRoute,
    GovernmentLink,
    IndustrialZone,
    Pole,
    PoleTenancy,
    Site,
    Station,
    Status,
    UnitSource,
    ZoneCoverage,
)
from .operators import Operator

__all__ = [
    "DuctSegment",
    "DuctTenancy",
    "FibreRoute",
    "GovernmentLink",
    "IndustrialZone",
    "Operator",
    "Pole",
    "PoleTenancy",
    "Site",
    "Station",
    "Status",
    "UnitSource",
    "ZoneCoverage",
]
