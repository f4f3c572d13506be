from .changelog import ChangeLogEntry

__all__ = ["ChangeLogEntry"]
