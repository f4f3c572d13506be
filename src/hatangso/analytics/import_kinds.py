"""The analytics app's kinds of `hatangso import`: measurements and population points."""

from hatangso.geography.import_kinds import POPULATION_SOURCES
from hatangso.utilities.import_kinds import ON, SYNTHETIC, ImportKind, Option, register_import
from hatangso.utilities.periods import parse_iso_day


def _lines(*, path, actor, options):
    from hatangso.analytics.measurements.lines import import_line_measurements

    result = import_line_measurements(path=path, actor=actor, synthetic=options["synthetic"])
    counts = f"Mẫu đo / samples: {result.samples}, đường truyền / lines: {result.lines}"
    yield f"{counts} (lần nhập / batch {result.batch.pk})"


def _population(*, path, actor, options):
    from hatangso.analytics.measurements.population import import_population

    result = import_population(
        path=path,
        actor=actor,
        on=parse_iso_day(options["on"]) if options["on"] else None,
        synthetic=options["synthetic"],
    )
    yield (
        f"Điểm dân cư / population points: {result.points}, dân số / population "
        f"{result.population:,.0f} (lần nhập / batch {result.batch.pk})"
    )


def _tests_lines(kind: str, result):
    from hatangso.registry.imports import outside_line

    yield (
        f"{kind}: {result.rows} dòng mới / new rows, {result.unchanged} không đổi / unchanged "
        f"(lần nhập / batch {result.batch.pk})"
    )
    yield outside_line(result.outside)


def _ookla(*, path, actor, options):
    from hatangso.analytics.measurements.speedtests import import_ookla, ookla_speeds

    result = import_ookla(
        path=path,
        actor=actor,
        period=options["period"],
        network=options["network"],
        synthetic=options["synthetic"],
    )
    yield from _tests_lines("ookla", result)
    if result.replaced:
        yield f"Thay thế / replaced {result.replaced} tệp cùng quý / file(s) of the quarter"
    for row in ookla_speeds(period=result.period, network=result.network, by_unit=False):
        yield (
            f"Trung bình theo số phép đo / test-weighted mean: {row['download_mbps']:.1f} Mb/s "
            f"xuống / down, {row['upload_mbps']:.1f} lên / up ({row['tests']} phép đo / tests)"
        )


def _mlab(*, path, actor, options):
    from hatangso.analytics.measurements.speedtests import import_mlab

    yield from _tests_lines("mlab", import_mlab(path=path, actor=actor, synthetic=options["synthetic"]))


def population_points():
    """The population layer as points for the crosswalk's shares; None without one."""
    from hatangso.analytics.measurements.population import has_population, read_population
    from hatangso.geography.services import PopulationPoints

    if not has_population():
        return None
    points = read_population()
    return PopulationPoints(
        lons=points["lon"].to_pylist(),
        lats=points["lat"].to_pylist(),
        population=points["population"].to_pylist(),
    )


SAMPLES = "Đang kiểm tra và ghi mẫu đo / Checking and storing samples…"
TESTS = "Đang kiểm tra và ghi phép đo / Checking and storing tests…"
# `speedtests` is the documented name of the fixed-line speed samples import; `lines` stays an alias.
for name in ("speedtests", "lines"):
    register_import(
        ImportKind(
            name,
            _lines,
            "đo tốc độ đường truyền cố định / fixed-line speed samples",
            options=(SYNTHETIC,),
            status=SAMPLES,
        )
    )
register_import(
    ImportKind("population", _population, "điểm dân số / population points", options=(ON, SYNTHETIC))
)
register_import(
    ImportKind(
        "ookla",
        _ookla,
        "ô đo tốc độ Ookla / Ookla open-data tiles",
        options=(
            Option("--period", {"help": "ookla: quý của tệp / the file's quarter (2024Q3)"}),
            Option(
                "--network",
                {"choices": ("mobile", "fixed"), "help": "ookla: mạng di động hay cố định / network"},
            ),
            SYNTHETIC,
        ),
        status=TESTS,
    )
)
register_import(
    ImportKind("mlab", _mlab, "phép đo M-Lab NDT / M-Lab NDT tests", options=(SYNTHETIC,), status=TESTS)
)
POPULATION_SOURCES.append(population_points)
