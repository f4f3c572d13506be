from django.db import models


class RateCounter(models.Model):
    """Attempts counted for a throttle key (a login account, an address) until `expires_at`.

    A database row rather than the cache: the count must be atomic across the server's workers, and
    the file cache's increment is a read followed by a write (see hatangso.core.throttle)."""

    key = models.CharField(max_length=300, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
