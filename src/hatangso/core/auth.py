"""Login throttling: after repeated failures for a username from an address, refuse for a while."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver


def _key(username: str | None, request) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return f"hatangso:login-failures:{(username or '').casefold()}:{address}"


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if cache.get(_key(username, request), 0) >= settings.LOGIN_FAILURE_LIMIT:
            # PermissionDenied stops Django trying other backends: the password is not even checked.
            raise PermissionDenied("too many failed logins")
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    key = _key(credentials.get("username"), request)
    cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW)
    cache.incr(key)


@receiver(user_logged_in)
def _forget_failures(sender, request, user, **kwargs):
    cache.delete(_key(user.get_username(), request))
