from .forms import ReportForm, Submission
from .values import DataElement, DataValue, ImportBatch

__all__ = ["DataElement", "DataValue", "ImportBatch", "ReportForm", "Submission"]
