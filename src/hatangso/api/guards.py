"""Checks on the raw request, before any parameter is parsed: text with a NUL character (0x00)
cannot be stored or even compared by PostgreSQL, so a request carrying one in its path, query,
form fields or JSON body is refused with 400 instead of failing in the database."""

import functools
import re

from django.http import JsonResponse

NUL_REFUSED = {
    "detail": "Yêu cầu chứa ký tự NUL (0x00), không được nhận",
    "detail_en": "The request contains a NUL character (0x00), which is not accepted",
}
# `\u0000` in JSON text, unless its backslash is itself escaped.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


def _any_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


def carries_nul(request) -> bool:
    if "\x00" in request.path or _any_nul(request.GET):
        return True
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return request.method == "POST" and _any_nul(request.POST)  # files may hold any byte
    body = request.body
    return b"\x00" in body or _JSON_NUL.search(body) is not None


def refuse_nul(view):
    """An API decorator (mode "view": before parameters are validated)."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if carries_nul(request):
            return JsonResponse(NUL_REFUSED, status=400, json_dumps_params={"ensure_ascii": False})
        return view(request, *args, **kwargs)

    return guarded
