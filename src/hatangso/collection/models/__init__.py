from .values import DataElement, DataValue, ImportBatch

__all__ = ["DataElement", "DataValue", "ImportBatch"]
