from .access import ApiToken, Membership, Role
from .changelog import ChangeLogEntry

__all__ = ["ApiToken", "ChangeLogEntry", "Membership", "Role"]
