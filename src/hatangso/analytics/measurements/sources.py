"""The `measurements` provider: data elements computed from the measurement store, each answered
by the pipeline that owns its code (line speeds; median download speeds; the coverage grid with the
population points; villages with fixed lines)."""

from functools import cached_property

from hatangso.analytics.providers import ElementTotal, Scope, register_provider
from hatangso.collection.models import DataElement
from hatangso.utilities.errors import UserError


class Measurements:
    name = "measurements"

    @cached_property
    def parts(self) -> tuple:
        # Imported at the first evaluation, not when the app is ready: the pipelines bring the
        # import services and the store, which a command that computes nothing does not need.
        from hatangso.analytics.measurements.fixed import FixedCoverage
        from hatangso.analytics.measurements.lines import LineSpeeds
        from hatangso.analytics.measurements.medians import SpeedMedians
        from hatangso.analytics.measurements.mobile import MobileCoverage

        return (LineSpeeds(), SpeedMedians(), MobileCoverage(), FixedCoverage())

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        result: dict[str, ElementTotal] = {}
        for part in self.parts:
            mine = [e for e in elements if e.code in part.codes]
            if mine:
                result.update(part.totals(mine, scope))
        unknown = sorted(e.code for e in elements if e.code not in result)
        if unknown:
            raise UserError(
                f"Không có phép đo nào tính phần tử dữ liệu {', '.join(unknown)}",
                f"No measurement pipeline computes data element(s) {', '.join(unknown)}",
            )
        return result


register_provider(Measurements())
