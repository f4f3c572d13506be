"""Work shared by every reader, in every server process: a value (a rendered page, a scorecard's
JSON) is built once per key and version and read by all who ask for it, through the cache every
process shares (settings.CACHES: Redis, or a table of the database).

Keys carry what the value depends on, so nothing is ever invalidated: a write makes a new
`page_version()` and with it a new key; the old entries expire. Concurrent readers of a key that is
not built yet do not all build it (the stampede after every write): the first takes the key's lock
and builds, the others wait for its value.
"""

import hashlib
import json
import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from hatangso.core.models import ChangeLogEntry, CommitCount

SHARED_SECONDS = 15 * 60  # an entry outlives its version by little: a new write makes a new key
LOCK_SECONDS = 60  # a builder that died is replaced after this
WAIT_SECONDS = 10.0  # a reader waits this long for another's build, then builds itself
POLL_SECONDS = 0.03
# Rendered in place of the form token while a shared page is built, and replaced by the reader's
# own token when the page is served: the page is shared, a CSRF token never is.
CSRF_PLACEHOLDER = "hatangso-csrf-token-placeholder"


class _Missing:
    pass


def shared(key: str, build: Callable[[], Any], *, seconds: int = SHARED_SECONDS) -> Any:
    """The value stored under `key`, else `build()` run once by the first of the concurrent readers
    (the others wait for its value) and stored for `seconds`."""
    if not settings.SHARED_PAGES:
        return build()
    key = _cache_key(key)
    value = cache.get(key, _Missing)
    if value is not _Missing:
        return value
    lock = f"{key}:building"
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        if cache.add(lock, 1, LOCK_SECONDS):
            try:
                value = cache.get(key, _Missing)  # stored while this reader waited for the lock
                if value is _Missing:
                    value = build()
                    cache.set(key, value, seconds)
            finally:
                cache.delete(lock)
            return value
        time.sleep(POLL_SECONDS)
        value = cache.get(key, _Missing)
        if value is not _Missing:
            return value
        if time.monotonic() > deadline:  # the builder is slow or gone: answer rather than queue
            return build()


def shared_json_text(key: str, build: Callable[[], Any]) -> bytes:
    """`shared` for an API answer's JSON text: a reader gets bytes to send rather than a value to
    unpickle and encode again (most of the cost of a hit). `build()` may give the text itself."""
    return shared(key, lambda: _json_text(build()))


def shared_json(key: str, build: Callable[[], Any]) -> HttpResponse:
    """`shared_json_text` as the API's response."""
    return HttpResponse(shared_json_text(key, build), content_type="application/json; charset=utf-8")


def _json_text(value: Any) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value, cls=DjangoJSONEncoder).encode()


def page_version() -> str:
    """Changes with every committed write of anything a page can show (numbers, tasks, incidents,
    publications, memberships): the newest change-log id and the count of committed transactions
    that wrote one (core.dataversion: an id alone misses a transaction that commits late)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:  # one round trip: this runs on every shared page's request
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {quote(ChangeLogEntry._meta.db_table)}),"
            f" (SELECT SUM(commits) FROM {quote(CommitCount._meta.db_table)})"
        )
        newest, commits = cursor.fetchone()
    return f"{newest or 0}.{commits or 0}"


def shared_page(*params: str):
    """A GET page every signed-in reader of the same account, language and `params` (the query
    parameters the page reads; any other is ignored, so it cannot make new entries) shares until the
    next write or the next day (overdue tasks turn with the date): built once, served from the
    cache to the others, with the reader's own CSRF token. A page with a message waiting for the
    reader (after a form) is not shared, nor one that is not a plain 200."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if (not settings.SHARED_PAGES or request.method != "GET" or not request.user.is_authenticated
                    or _messages_waiting(request)):  # fmt: skip
                return view(request, *args, **kwargs)
            asked = urlencode([(name, request.GET.get(name, "")) for name in params])
            key = ":".join([
                "page", view.__qualname__, str(request.user.pk), translation.get_language() or "",
                str(bool(request.htmx)), f"{request.path}?{asked}", str(timezone.localdate()), page_version(),
            ])  # fmt: skip

            built = []  # the response, when this reader is the one who built it

            def render() -> tuple[int, str, bytes, list]:
                request.shared_page = True
                try:
                    response = view(request, *args, **kwargs)
                finally:  # an error page (a raised 404) is rendered after this, with the real token
                    request.shared_page = False
                built.append(response)
                if response.status_code != 200 or response.streaming or response.cookies:
                    return (0, "", b"", [])  # served to this reader below, never to another
                return (200, response["Content-Type"], response.content, list(_vary(response)))

            status, content_type, content, vary = shared(key, render)
            if status != 200:
                if built:  # not shareable: the builder keeps its own response, with its own token
                    return _with_token(built[0], request)
                return view(request, *args, **kwargs)
            page = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
            response = HttpResponse(page, content_type=content_type)
            if vary:
                response["Vary"] = ", ".join(vary)
            return response

        return wrapper

    return decorator


def _with_token(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    if not response.streaming:
        response.content = response.content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    return response


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: a page being built to share renders the placeholder as its form token."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, "shared_page", False) else {}


def _messages_waiting(request: HttpRequest) -> bool:
    storage = get_messages(request)
    waiting = bool(list(storage))
    storage.used = False  # looked at, not consumed: the page that shows them still does
    return waiting


def _vary(response: HttpResponse):
    return (h.strip() for h in response.get("Vary", "").split(",") if h.strip())


def _cache_key(key: str) -> str:
    """Cache keys are at most 250 characters (memcached's rule, which Django warns about): long keys
    (a page's address) are hashed."""
    return key if len(key) <= 200 else f"{key[:120]}:{hashlib.sha256(key.encode()).hexdigest()}"
