from .results import IndicatorResult

__all__ = ["IndicatorResult"]
