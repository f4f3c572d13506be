"""The registry app's kinds of `hatangso import`: stations, OpenCelliD, poles, ducts, fibre, links
and zones, one per entry of registry.imports.IMPORTERS."""

from functools import partial

from hatangso.registry.imports import IMPORTERS
from hatangso.utilities.import_kinds import SYNTHETIC, ImportKind, register_import


def _registry(kind: str, *, path, actor, options):
    summary = IMPORTERS[kind](path=path, actor=actor, synthetic=options["synthetic"])
    yield (
        f"{kind}: {summary.created} mới / created, {summary.updated} cập nhật / updated, "
        f"{summary.unchanged} không đổi / unchanged (lần nhập / batch {summary.batch.pk})"
    )
    yield from summary.notes


for name in IMPORTERS:
    register_import(ImportKind(name, partial(_registry, name), "hạ tầng / registry", options=(SYNTHETIC,)))
