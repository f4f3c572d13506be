from .access import ApiToken, Membership, Role
from .changelog import ChangeLogEntry
from .throttle import RateCounter

__all__ = ["ApiToken", "ChangeLogEntry", "Membership", "RateCounter", "Role"]
