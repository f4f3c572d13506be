from .indicators import CatalogIndicator

__all__ = ["CatalogIndicator"]
