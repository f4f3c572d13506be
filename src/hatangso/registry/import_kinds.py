"""The registry app's kinds of `hatangso import`: stations, OpenCelliD, poles, ducts, fibre, links
and zones, one per entry of registry.imports.IMPORTERS (named here, so that registering them does
not import the importers at every command's start)."""

from functools import partial

from hatangso.utilities.import_kinds import SYNTHETIC, ImportKind, Option, register_import

# The kinds that count the rows outside every boundary, and leave them out unless told to keep them.
LOCATED = ("stations", "opencellid")
KEEP_OUTSIDE = Option(
    "--keep-outside",
    {
        "action": "store_true",
        "help": "stations, opencellid: giữ và đánh dấu dòng ngoài mọi ranh giới / keep the rows "
        "outside every boundary, flagged",
    },
)


KINDS = ("stations", "opencellid", "poles", "ducts", "fibre", "gov-links", "zones")


def _registry(kind: str, *, path, actor, options):
    from hatangso.core.scoping import COMMAND_LINE
    from hatangso.registry.imports import IMPORTERS

    extra = {"keep_outside": options["keep_outside"]} if kind in LOCATED else {}
    summary = IMPORTERS[kind](
        path=path, actor=actor, user=COMMAND_LINE, synthetic=options["synthetic"], **extra
    )
    yield (
        f"{kind}: {summary.created} mới / created, {summary.updated} cập nhật / updated, "
        f"{summary.unchanged} không đổi / unchanged (lần nhập / batch {summary.batch.pk})"
    )
    yield from summary.notes


for name in KINDS:
    options = (SYNTHETIC, KEEP_OUTSIDE) if name in LOCATED else (SYNTHETIC,)
    register_import(ImportKind(name, partial(_registry, name), "hạ tầng / registry", options=options))
