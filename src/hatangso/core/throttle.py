"""Atomic attempt counters for throttles and rate limits (login failures, anonymous reports).

Each attempt is counted before the work it guards, in one database transaction that holds the
counter's row: parallel requests each see a different count, so a limit of 5 lets exactly 5 through.
The counters are not audited data (no change log): they only say how often a key was tried.
"""

from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hatangso.core.models import RateCounter

RACE_RETRIES = 5


def hit(key: str, *, window: int) -> int:
    """Count one attempt for `key` and return the attempts within the current window, this one
    included. The window (seconds) starts with the first attempt and is not extended by later ones."""
    now = timezone.now()
    key = key[:300]
    for _attempt in range(RACE_RETRIES):
        try:
            with transaction.atomic():
                # get_or_create on a locking query: a parallel first attempt's row is waited for and
                # counted.
                counter, created = RateCounter.objects.select_for_update().get_or_create(
                    key=key, defaults={"count": 1, "expires_at": now + timedelta(seconds=window)}
                )
                if not created:
                    if counter.expires_at <= now:
                        RateCounter.objects.filter(pk=counter.pk).update(
                            count=1, expires_at=now + timedelta(seconds=window)
                        )
                        return 1
                    RateCounter.objects.filter(pk=counter.pk).update(count=F("count") + 1)
                    return RateCounter.objects.values_list("count", flat=True).get(pk=counter.pk)
            break
        except IntegrityError:
            # A parallel first attempt inserted the row while this one did, and it was forgotten
            # (a single flight's lock released) before this one could read it: count again.
            continue
    else:
        raise IntegrityError(f"throttle counter {key!r}: {RACE_RETRIES} attempts lost a race")
    _forget_expired(now)
    return 1


def undo(key: str) -> None:
    """Take back one attempt (a successful login does not count against its address)."""
    RateCounter.objects.filter(key=key[:300], count__gt=0).update(count=F("count") - 1)


def forget(key: str) -> None:
    RateCounter.objects.filter(key=key[:300]).delete()


def _forget_expired(now) -> None:
    """Drop counters whose window ended a day ago, so unknown keys do not pile up. Best effort: a
    parallel clean-up may hold the same rows, and losing this race costs nothing."""
    try:
        with transaction.atomic():
            RateCounter.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    except DatabaseError:
        pass
