"""The collection app's kind of `hatangso import`: data values."""

from hatangso.utilities.import_kinds import SYNTHETIC, ImportKind, register_import


def _values(*, path, actor, options):
    from hatangso.collection.services import import_values
    from hatangso.core.scoping import COMMAND_LINE

    summary = import_values(path=path, actor=actor, user=COMMAND_LINE, synthetic=options["synthetic"])
    yield (
        f"Số liệu / values: {summary.created} mới / created, {summary.updated} cập nhật / updated, "
        f"{summary.unchanged} không đổi / unchanged, {summary.deleted} xóa / deleted, "
        f"{summary.skipped} dòng trống / empty rows "
        f"(lần nhập / batch {summary.batch.pk})"
    )
    if summary.submitted:
        yield f"Đã gửi / submitted {summary.submitted} báo cáo / report(s) (completeDate)"


register_import(ImportKind("values", _values, "số liệu / data values", options=(SYNTHETIC,)))
