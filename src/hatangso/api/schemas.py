"""What every endpoint shares in the OpenAPI schema: the one error body, the error responses, and
the typed parameters (periods, days, ids) that refuse bad input with 422 before any query runs."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from ninja import Path, Schema
from pydantic import BeforeValidator, Field

# Ids are bigint primary keys: a larger number is refused (422), never sent to the database.
MAX_ID = 2**63 - 1
PERIOD_PATTERN = r"^[1-9][0-9]{3}(Q[1-4]|0[1-9]|1[0-2])?$"


class Error(Schema):
    """Every error: one sentence in Vietnamese (`detail`) and in English (`detail_en`); a rejected
    file or bad parameters also list each problem in `errors`."""

    detail: str
    detail_en: str | None = None
    errors: list[dict[str, Any]] | None = None


def responses(ok: Any, *, write: bool = False) -> dict[int, Any]:
    """`response=` of an endpoint: its 200 body and the errors it may answer with. Reads: 400 (a
    parameter the service refuses), 401, 404 (outside the caller's scope), 422 (a malformed
    parameter). Writes also 403 (a session without its CSRF token) and 409 (a newer version, an
    approved report)."""
    codes = (400, 401, 403, 404, 409, 422) if write else (400, 401, 404, 422)
    return {200: ok, **dict.fromkeys(codes, Error)}


def _iso_day(value: Any) -> Any:
    """Only a day written YYYY-MM-DD: pydantic alone would also take a number of seconds."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return value.strip()
    raise ValueError("phải là ngày YYYY-MM-DD / must be a day written YYYY-MM-DD")


# A DHIS2-style period code: 2024, 2024Q3 or 202409.
Period = Annotated[str, Field(pattern=PERIOD_PATTERN, examples=["2024", "2024Q3", "202409"])]
# A day, YYYY-MM-DD (documented as `format: date`).
Day = Annotated[date, BeforeValidator(_iso_day)]


def object_id(description: str = "id") -> Any:
    """A path id: a positive bigint (422 otherwise)."""
    return Path(..., ge=1, le=MAX_ID, description=description)
