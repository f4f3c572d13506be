"""The work plan app's kind of `hatangso import`: the roads list."""

from hatangso.utilities.import_kinds import SYNTHETIC, ImportKind, Option, register_import


def _roads(*, path, actor, options):
    from hatangso.plans.selectors import command_plan
    from hatangso.workplan.services import import_roads

    plan = command_plan(options["plan"])
    count = import_roads(path=path, plan=plan, actor=actor, synthetic=options["synthetic"])
    yield f"Tuyến đường / roads: {count}"


register_import(
    ImportKind(
        "roads",
        _roads,
        "danh mục tuyến đường / roads list",
        options=(Option("--plan", {"help": "roads: số kế hoạch / plan code"}), SYNTHETIC),
    )
)
