from ninja.security import HttpBearer, django_auth

from hatangso.core.services import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hts_…` (tokens from `hatangso token create`)."""

    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


# Token for programs, the session cookie for a logged-in browser.
API_AUTH = [TokenAuth(), django_auth]
