from .texts import ReportText

__all__ = ["ReportText"]
