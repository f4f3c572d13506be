"""Typed reading of single posted fields: an id that is not a positive whole number the database
can hold names nothing, so the page answers 404 (never a 500 from the database)."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

MAX_ID = 2**63 - 1  # bigint primary keys

_ID_FIELD = forms.IntegerField(min_value=1, max_value=MAX_ID)


def posted_id(data, name: str) -> int:
    """`data[name]` as an id, or Http404 with a sentence."""
    try:
        return _ID_FIELD.clean(data.get(name))
    except ValidationError as exc:
        raise Http404(
            f"Không có mục mã '{data.get(name, '')}' / No item with id '{data.get(name, '')}'"
        ) from exc
