from .access import ApiToken, Membership, Role
from .changelog import ChangeLogEntry, CommitCount
from .throttle import RateCounter

__all__ = ["ApiToken", "ChangeLogEntry", "CommitCount", "Membership", "RateCounter", "Role"]
