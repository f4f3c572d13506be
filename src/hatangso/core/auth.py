"""Login throttling: every attempt is counted before the password is checked, per account and per
address, and after too many within the window the login is refused without checking it.

Counting first (atomically, hatangso.core.throttle) means parallel guesses cannot all slip in before
the failures are recorded: of 15 wrong passwords sent at once only the first few are checked, and
the right password after them is refused until the window ends. A successful login clears its
account's count and does not count against its address (an office shares one address)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from hatangso.core import throttle

ADDRESS_LIMIT_FACTOR = 4  # an address may try several accounts: four times an account's limit


def _account_key(username: str | None) -> str:
    return f"login:account:{(username or '').casefold()}"


def _address_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return f"login:address:{address}"


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        limit, window = settings.LOGIN_FAILURE_LIMIT, settings.LOGIN_FAILURE_WINDOW
        account = throttle.hit(_account_key(username), window=window)
        address = throttle.hit(_address_key(request), window=window)
        if account > limit or address > limit * ADDRESS_LIMIT_FACTOR:
            # PermissionDenied stops Django trying other backends: the password is not even checked.
            raise PermissionDenied("too many failed logins")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            throttle.forget(_account_key(username))
            throttle.undo(_address_key(request))
        return user
