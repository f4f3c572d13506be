from .dhis2 import Dhis2Mapping
from .forms import FormElement, ReportForm, Submission
from .values import DataElement, DataValue, ImportBatch

__all__ = [
    "DataElement",
    "DataValue",
    "Dhis2Mapping",
    "FormElement",
    "ImportBatch",
    "ReportForm",
    "Submission",
]
