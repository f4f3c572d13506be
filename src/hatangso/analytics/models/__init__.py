from .publications import PublishedScorecard
from .results import IndicatorResult

__all__ = ["IndicatorResult", "PublishedScorecard"]
