"""What every all-or-nothing import shares: collecting row errors and keeping the original file."""

import hashlib
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings

from hatangso.utilities.errors import UserError


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason_vi: str
    reason_en: str

    def __str__(self) -> str:
        where = f"dòng/row {self.row}, cột/column {self.column}, '{self.value}'"
        return f"{where}: {self.reason_vi} / {self.reason_en}"

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason_vi": self.reason_vi,
            "reason_en": self.reason_en,
        }


@dataclass
class RowErrors:
    errors: list[RowError] = field(default_factory=list)

    def add(self, row: int, column: str, value: str, reason_vi: str, reason_en: str) -> None:
        self.errors.append(RowError(row, column, value, reason_vi, reason_en))

    def __len__(self) -> int:  # also its truth: any errors
        return len(self.errors)


class ImportRejected(UserError):
    """The file had bad rows; nothing was written. Carries every row error."""

    def __init__(self, file_name: str, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            f"Tệp {file_name} có {len(errors)} lỗi; không dữ liệu nào được ghi",
            f"File {file_name} has {len(errors)} error(s); nothing was written",
        )


def keep_original(path: Path, kind: str) -> tuple[Path, str]:
    """Copy the uploaded file under HATANGSO_HOME/imports and return (stored path, sha256)."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    folder = settings.HOME / "imports" / kind
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{datetime.now():%Y%m%d-%H%M%S}-{digest[:12]}-{Path(path).name}"
    shutil.copyfile(path, stored)
    return stored, digest


def map_columns(columns: list[str], aliases: dict[str, set[str]], required: tuple[str, ...] = ()) -> dict:
    """{field: the file's column} for the fields whose accepted names appear; a missing required
    column rejects the file before any row is read."""
    mapping = {}
    for field_name, names in aliases.items():
        found = next((c for c in columns if c in names), None)
        if found:
            mapping[field_name] = found
    missing = [f for f in required if f not in mapping]
    if missing:
        expected = ", ".join(sorted(aliases[f])[0] for f in required)
        raise UserError(
            f"Tệp thiếu cột {', '.join(missing)} (cột bắt buộc: {expected})",
            f"The file lacks column(s) {', '.join(missing)} (required: {expected})",
        )
    return mapping


UPLOAD_SUFFIXES = {".xlsx", ".csv", ".json", ".geojson"}
UPLOAD_MAX_BYTES = 20 * 1024 * 1024


@contextmanager
def saved_upload(upload, suffixes: set[str] = frozenset(UPLOAD_SUFFIXES), *, refused=None):
    """An uploaded file on disk under its own name (importers read paths and keep the original),
    refused before reading when its kind or size is wrong. `refused(path=, exc=)` is called with
    the file and the error whenever it is refused whole or by its import, before the error goes on
    (an upload over the size limit is refused unwritten, so it is never kept)."""
    name = Path(upload.name or "").name
    kinds = ", ".join(sorted(suffixes))
    wrong = UserError(
        f"Chỉ nhận tệp {kinds}, tối đa {UPLOAD_MAX_BYTES // 2**20} MB (tệp {name} không hợp lệ)",
        f"Only {kinds} files up to {UPLOAD_MAX_BYTES // 2**20} MB are accepted ({name} is not)",
    )
    if upload.size > UPLOAD_MAX_BYTES or not name:
        raise wrong
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            if Path(name).suffix.lower() not in suffixes:
                raise wrong
            yield path
        except UserError as exc:
            if refused is not None:
                refused(path=path, exc=exc)
            raise
