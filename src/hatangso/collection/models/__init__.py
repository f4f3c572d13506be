from .forms import FormElement, ReportForm, Submission
from .values import DataElement, DataValue, ImportBatch

__all__ = ["DataElement", "DataValue", "FormElement", "ImportBatch", "ReportForm", "Submission"]
