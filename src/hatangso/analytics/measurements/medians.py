"""Median download speeds of an area (i-Speed's method): the median of the period's speed samples
in the whole area — never a sum or a mean of its children's medians — with a sample floor
(HATANGSO_MIN_SPEED_SAMPLES, VNNIC's 300 per commune): fewer samples, no value.

- `fixed_download_median_mbps`: the line measurements' samples (kind `lines`, one row a sample);
- `mobile_download_median_mbps`: the store holds no single mobile tests — M-Lab rows name no network,
  so they cannot tell mobile from fixed — only Ookla's mobile tiles, each the mean of its tests. A
  tile's mean counts once per test (the median of the tile means weighted by tests), over the tiles
  of the quarters that lie wholly in the period; the floor counts tests.

Both run on the engine HATANGSO_ENGINE names (engines.py), like the line-speed aggregate.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings

from hatangso.analytics.measurements import engines, lines, speedtests, store
from hatangso.analytics.providers import ElementTotal, Scope
from hatangso.collection.models import DataElement
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.periods import parse_period

pa = lazy_import("pyarrow")

FIXED, MOBILE = "fixed_download_median_mbps", "mobile_download_median_mbps"

FIXED_MEDIAN = """
SELECT count(*) AS samples, median(download_mbps) AS median, coalesce(bool_or(synthetic), false)
FROM lines
WHERE month BETWEEN $first_month AND $last_month {time}
  AND unit_id IN (SELECT id FROM scope_units) {operator}
"""
# The k-th of the tests in speed order is the slowest tile whose running total of tests reaches k;
# the median is the mean of the ⌊(n+1)/2⌋-th and the (⌊n/2⌋+1)-th, as DuckDB's median (and
# Spark's) gives over the tests written out one row each. Ties in speed share a value, so their order
# in the running total does not matter.
MOBILE_MEDIAN = """
WITH tiles AS (
    SELECT download_kbps / 1000 AS mbps, tests, synthetic FROM ookla
    WHERE network = 'mobile' AND tests > 0 AND month BETWEEN $first_month AND $last_month
      AND unit_id IN (SELECT id FROM scope_units)
),
ranked AS (
    SELECT mbps, synthetic, sum(tests) OVER () AS total,
           sum(tests) OVER (ORDER BY mbps ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS reached
    FROM tiles
)
SELECT coalesce(max(total), 0) AS samples,
       (min(mbps) FILTER (WHERE reached >= floor((total + 1) / 2))
        + min(mbps) FILTER (WHERE reached >= floor(total / 2) + 1)) / 2 AS median,
       coalesce(bool_or(synthetic), false), count(*) AS tiles
FROM ranked
"""


def fixed_median(
    *, unit_ids: list[int], start: date, end: date, operator: str | None = None
) -> tuple[int, float | None, bool]:
    """(samples, median download in Mb/s, synthetic) of the line samples of `unit_ids` (and
    `operator`) measured from `start` to `end` (days, inclusive)."""
    time, condition, params = lines.sample_filters(start, end, operator)
    ((samples, median, synthetic),) = engines.engine().rows(
        FIXED_MEDIAN.format(time=time, operator=condition),
        sources={"lines": store.kind_root(lines.KIND), "scope_units": _ids(unit_ids)},
        params=params,
    )
    return int(samples), median, bool(synthetic)


def whole_quarters(start: date, end: date) -> list[str]:
    """The quarters (2024Q3) lying wholly from `start` to `end`: Ookla publishes a quarter's tiles."""
    quarters = (parse_period(f"{year}Q{q}") for year in range(start.year, end.year + 1) for q in range(1, 5))
    return [q.code for q in quarters if start <= q.start and q.end <= end]


def mobile_median(*, unit_ids: list[int], start: date, end: date) -> tuple[int, float | None, bool, int]:
    """(tests, test-weighted median of the tiles' mean download in Mb/s, synthetic, tiles) of the
    Ookla mobile tiles of `unit_ids` in the quarters lying wholly from `start` to `end`."""
    quarters = [parse_period(code).start for code in whole_quarters(start, end)]
    params = {
        "first_month": quarters[0].year * 100 + quarters[0].month,
        "last_month": quarters[-1].year * 100 + quarters[-1].month,
    }
    ((tests, median, synthetic, tiles),) = engines.engine().rows(
        MOBILE_MEDIAN,
        sources={"ookla": store.kind_root(speedtests.OOKLA), "scope_units": _ids(unit_ids)},
        params=params,
    )
    return int(tests), median, bool(synthetic), int(tiles)


def _ids(unit_ids: list[int]) -> pa.Table:
    return pa.table({"id": pa.array(unit_ids, pa.int64())})


def floor_reason(samples: int, what_vi: str, what_en: str) -> str:
    floor = settings.MIN_SPEED_SAMPLES
    return (
        f"Chỉ có {samples} {what_vi} (cần ít nhất {floor} để tính trung vị) / "
        f"only {samples} {what_en} (at least {floor} needed for a median)"
    )


class SpeedMedians:
    """The median download speed of the period's samples in the whole scope (i-Speed's method)."""

    name = "measurements"
    codes = frozenset({FIXED, MOBILE})

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        result = {e.code: ElementTotal(value=None, provider=self.name) for e in elements}
        unit_ids = list(scope.units.values_list("pk", flat=True))
        start, end = scope.period.start, scope.period.end
        if FIXED in result:
            total = result[FIXED]
            if not store.has_data(lines.KIND):
                total.reason = "Chưa có số liệu đo đường truyền / no line measurements imported"
            else:
                samples, median, synthetic = fixed_median(
                    unit_ids=unit_ids, start=start, end=end, operator=lines.scope_operator(scope)
                )
                total.items = [f"{samples} mẫu đo đường truyền cố định / fixed-line samples"]
                _set(total, samples, median, synthetic, floor_reason(samples, "mẫu đo", "samples"))
        if MOBILE in result:
            self._mobile(result[MOBILE], scope, unit_ids)
        return result

    def _mobile(self, total: ElementTotal, scope: Scope, unit_ids: list[int]) -> None:
        start, end = scope.period.start, scope.period.end
        quarters = whole_quarters(start, end)
        if scope.operator_id:
            total.reason = "Ô Ookla không ghi doanh nghiệp / Ookla tiles name no operator"
        elif not store.has_data(speedtests.OOKLA):
            total.reason = "Chưa có ô Ookla di động (hatangso import ookla) / no Ookla mobile tiles imported"
        elif not quarters:
            total.reason = (
                f"Ô Ookla là số liệu theo quý: kỳ {scope.period.code} không chứa trọn quý nào / "
                f"Ookla tiles are quarterly: the period {scope.period.code} holds no whole quarter"
            )
        else:
            tests, median, synthetic, tiles = mobile_median(unit_ids=unit_ids, start=start, end=end)
            total.items = [
                f"{tests} phép đo trong {tiles} ô Ookla di động, quý {', '.join(quarters)} "
                f"/ tests in {tiles} Ookla mobile tiles of {', '.join(quarters)} (the median of the tile "
                "means weighted by tests)"
            ]
            _set(total, tests, median, synthetic, floor_reason(tests, "phép đo", "tests"))


def _set(total: ElementTotal, samples: int, median: float | None, synthetic: bool, reason: str) -> None:
    total.synthetic = synthetic
    total.inputs = samples
    if samples < settings.MIN_SPEED_SAMPLES or median is None:
        total.reason = reason
    else:
        total.value = Decimal(repr(median))
