from .units import AdministrativeUnit, UnitBoundary, UnitSuccession

__all__ = ["AdministrativeUnit", "UnitBoundary", "UnitSuccession"]
