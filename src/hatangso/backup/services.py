"""Backup and restore of a home: one archive holding the database, every folder of HATANGSO_HOME that
keeps data, and a manifest with each member's SHA-256 (issue 19, item 3)."""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Replace

from hatangso.utilities.errors import UserError

ARCHIVE_FORMAT = 1
MANIFEST = "manifest.json"
SECRET_KEY_MEMBER = "secret_key"
DATABASE_MEMBERS = {"sqlite": "database/hatangso.sqlite3", "postgresql": "database/hatangso.pgdump"}
# The folders of HATANGSO_HOME that hold data (found from every `settings.HOME /` and MEDIA_ROOT):
# the measurement store (Parquet), imported originals, evidence, incident photos, media, reports,
# plan drafts and the demo's source files.
DATA_FOLDERS = (
    "measurements",
    "imports",
    "evidence",
    "incident-photos",
    "media",
    "reports",
    "plan-drafts",
    "demo",
)
# What a home holds beside its data, made again when needed: a new home has some of it as soon as the
# settings are read (the key file, the static folder), so a home with only these counts as empty.
REMADE = {"secret_key", "static", "cache", "logs", "run", "templates-out"}
# A file of the data folders written during a backup makes the archive disagree with its database
# snapshot: the backup starts again, this many times at most.
ATTEMPTS = 3
CHUNK = 1 << 20
# A backup works in a hidden folder beside the archive (`.NAME.XXXXXXXX.partial`: the database dump
# and the archive being written) and holds a lock on its LOCK file while it runs. The kernel drops
# the lock when the process ends, even by kill -9: a later backup into the same folder finds the
# lock free and removes what the stopped one left.
WORK_SUFFIX = ".partial"
LOCK = "backup.lock"

Report = Callable[[str], None]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    size: int
    secret_key: bool
    # The work folders of stopped backups this one removed.
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True)
class RestoreResult:
    files: int
    created_at: str
    secret_key: bool


def _quiet(message: str) -> None:
    pass


def vendor() -> str:
    return connection.vendor


def _database() -> dict:
    return settings.DATABASES["default"]


def _data_files() -> dict[str, tuple[int, int]]:
    """Every file of the data folders: its path in the archive → (size, modification time)."""
    state = {}
    for folder in DATA_FOLDERS:
        root = settings.HOME / folder
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file():
                stat = path.stat()
                state[path.relative_to(settings.HOME).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return state


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    """The connection options of pg_dump / pg_restore for the configured database."""
    database = _database()
    options = [f"--dbname={database['NAME']}"]
    if database.get("HOST"):
        options.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        options.append(f"--port={database['PORT']}")
    if database.get("USER"):
        options.append(f"--username={database['USER']}")
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return options, env


def _run_pg(program: str, arguments: list[str]) -> None:
    options, env = _pg_environment()
    if shutil.which(program) is None:
        raise UserError(
            f"Không tìm thấy {program} (cài gói postgresql-client)",
            f"{program} was not found (install the postgresql-client package)",
        )
    result = subprocess.run(
        [program, *options, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["?"])[-1]
        raise UserError(f"{program} không chạy được: {detail}", f"{program} failed: {detail}")


def _dump_database(target: Path) -> None:
    """A consistent copy of the database while the service may write: SQLite's online backup API,
    or pg_dump (one transaction, a snapshot)."""
    if vendor() == "sqlite":
        source_path = Path(_database()["NAME"])
        if not source_path.is_file():
            raise UserError(
                f"Chưa có cơ sở dữ liệu {source_path} để sao lưu",
                f"There is no database {source_path} to back up",
            )
        source = sqlite3.connect(source_path, timeout=20)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    elif vendor() == "postgresql":
        _run_pg("pg_dump", ["--format=custom", f"--file={target}"])
    else:
        raise UserError(
            f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {vendor()}",
            f"Backing up a {vendor()} database is not supported",
        )


class _HashingReader:
    """Reads a file into the archive and hashes exactly the bytes that went in."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add(archive: tarfile.TarFile, path: Path, member: str) -> dict:
    info = archive.gettarinfo(str(path), arcname=member)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as handle:
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"path": member, "size": info.size, "sha256": reader.digest.hexdigest()}


def backup(out: Path, *, with_secret_key: bool = False, report: Report = _quiet) -> BackupResult:
    """Write the archive in a work folder beside `out`, then rename it: a backup killed half-way
    leaves the previous archive at `out` as it was, and its work folder, which the next backup into
    that folder removes."""
    out = Path(out).absolute()
    if not out.parent.is_dir():
        raise UserError(f"Không có thư mục {out.parent}", f"There is no folder {out.parent}")
    if out.is_dir():
        raise UserError(f"{out} là một thư mục, cần tên tệp", f"{out} is a folder; give a file name")
    if any(out.is_relative_to(settings.HOME / folder) for folder in DATA_FOLDERS):
        # The archive would be one of the files it copies, growing while it is written.
        raise UserError(
            f"Không ghi bản sao lưu vào thư mục dữ liệu {out.parent}",
            f"Do not write the backup into the data folder {out.parent}",
        )
    key_file = settings.HOME / SECRET_KEY_MEMBER
    if with_secret_key and not key_file.is_file():
        raise UserError(
            "Khóa bí mật đặt bằng HATANGSO_SECRET_KEY, không có trong thư mục dữ liệu; hãy tự lưu giữ nó",
            "The secret key is set by HATANGSO_SECRET_KEY, not kept in the home; keep it yourself",
        )
    removed = remove_stopped_backups(out.parent)
    work, lock = _work_folder(out)
    try:
        partial, dump = work / out.name, work / "database"
        for _attempt in range(ATTEMPTS):
            before = _data_files()
            report("Sao lưu cơ sở dữ liệu / Backing up the database")
            dump.unlink(missing_ok=True)
            _dump_database(dump)
            report(f"Ghi {len(before)} tệp dữ liệu / Writing {len(before)} data files")
            files = _write_archive(partial, dump, before, with_secret_key=with_secret_key)
            if _data_files() == before:
                break
        else:
            raise UserError(
                "Tệp dữ liệu liên tục thay đổi trong khi sao lưu; hãy thử lại sau",
                "Data files kept changing during the backup; try again later",
            )
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        partial.chmod(0o600)  # the database holds password hashes (and the key, when asked)
        os.replace(partial, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        os.close(lock)
    return BackupResult(
        path=out, files=files, size=out.stat().st_size, secret_key=with_secret_key, removed=removed
    )


def _work_folder(out: Path) -> tuple[Path, int]:
    """A new work folder beside `out` (mode 0700) and the descriptor of its LOCK, locked. The lock
    file is locked under another name and then renamed: whoever finds LOCK finds it locked."""
    work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=WORK_SUFFIX))
    lock = os.open(work / f"{LOCK}.new", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    os.replace(work / f"{LOCK}.new", work / LOCK)
    return work, lock


def remove_stopped_backups(folder: Path) -> tuple[Path, ...]:
    """Remove the work folders in `folder` whose backup no longer runs (its lock is free); a running
    backup's is left alone."""
    removed = []
    for work in sorted(folder.glob(f".*{WORK_SUFFIX}")):
        try:
            lock = os.open(work / LOCK, os.O_RDWR)
        except (FileNotFoundError, NotADirectoryError):
            continue  # not a backup's work folder, or one being made
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a backup is writing it
        else:
            shutil.rmtree(work, ignore_errors=True)
            removed.append(work)
        finally:
            os.close(lock)
    return tuple(removed)


def _write_archive(partial: Path, dump: Path, files: dict, *, with_secret_key: bool) -> int:
    entries = []
    with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
        entries.append(_add(archive, dump, DATABASE_MEMBERS[vendor()]))
        for member in files:
            entries.append(_add(archive, settings.HOME / member, member))
        if with_secret_key:
            entries.append(_add(archive, settings.HOME / SECRET_KEY_MEMBER, SECRET_KEY_MEMBER))
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "app_version": version("hatangso"),
            "database_vendor": vendor(),
            "home": str(settings.HOME),
            "secret_key_included": with_secret_key,
            "files": entries,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(datetime.now(UTC).timestamp())
        archive.addfile(info, io.BytesIO(data))
    return len(files)


# --- restore --------------------------------------------------------------------------------------


def _not_a_backup(path: Path) -> UserError:
    return UserError(
        f"Tệp {path.name} không phải bản sao lưu hatangso hoặc đã hỏng",
        f"{path.name} is not a hatangso backup or is damaged",
    )


def _home_is_empty() -> bool:
    database = Path(_database()["NAME"]) if vendor() == "sqlite" else None
    for entry in settings.HOME.iterdir():
        if entry.name in REMADE or entry.name.startswith(".restoring-"):
            continue
        if database and entry.name in {database.name, f"{database.name}-wal", f"{database.name}-shm"}:
            continue
        return False
    return not _database_has_tables()


def _database_has_tables() -> bool:
    if vendor() == "sqlite":
        path = Path(_database()["NAME"])
        if not path.is_file() or path.stat().st_size == 0:
            return False
        # Read only: a refused restore writes nothing, not even SQLite's journal files.
        check = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return check.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
        finally:
            check.close()
    return bool(connection.introspection.table_names())


def _read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    try:
        manifest = json.loads(archive.extractfile(MANIFEST).read())
        entries = {entry["path"]: entry for entry in manifest["files"]}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _not_a_backup(path) from exc
    if {"database_vendor", "secret_key_included", "home", "created_at"} - manifest.keys():
        raise _not_a_backup(path)
    for member in entries:
        if member.startswith("/") or ".." in Path(member).parts:
            raise _not_a_backup(path)
    manifest["entries"] = entries
    return manifest


def restore(path: Path, *, report: Report = _quiet) -> RestoreResult:
    """Restore an archive into this empty home and empty database; nothing is written unless every
    member matches its checksum in the manifest."""
    path = Path(path).absolute()
    if not path.is_file():
        raise UserError(f"Không có tệp {path}", f"There is no file {path}")
    if not _home_is_empty():
        raise UserError(
            f"Thư mục dữ liệu {settings.HOME} hoặc cơ sở dữ liệu của nó không trống; "
            "chỉ khôi phục vào nơi trống",
            f"The home {settings.HOME} or its database is not empty; restore only into an empty one",
        )
    staging = Path(tempfile.mkdtemp(dir=settings.HOME, prefix=".restoring-"))
    try:
        manifest = _extract_verified(path, staging, report)
        if manifest["database_vendor"] != vendor():
            raise UserError(
                f"Bản sao lưu dùng cơ sở dữ liệu {manifest['database_vendor']}, "
                f"nơi khôi phục dùng {vendor()}",
                f"The backup is of a {manifest['database_vendor']} database; this home uses {vendor()}",
            )
        report("Khôi phục cơ sở dữ liệu / Restoring the database")
        _restore_database(staging / DATABASE_MEMBERS[vendor()])
        report("Khôi phục các tệp dữ liệu / Restoring the data files")
        for folder in DATA_FOLDERS:
            if (staging / folder).is_dir():
                os.replace(staging / folder, settings.HOME / folder)
        if manifest["secret_key_included"]:
            os.replace(staging / SECRET_KEY_MEMBER, settings.HOME / SECRET_KEY_MEMBER)
        _relocate_stored_paths(manifest["home"])
        if settings.REDIS_URL:
            # Shared pages are keyed by data versions, which the restored database repeats: Redis may
            # hold another database's pages under the same keys (the database's own cache is restored).
            cache.clear()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = len(manifest["entries"]) - 1 - int(manifest["secret_key_included"])
    return RestoreResult(
        files=files, created_at=manifest["created_at"], secret_key=manifest["secret_key_included"]
    )


def _extract_verified(path: Path, staging: Path, report: Report) -> dict:
    report("Kiểm tra bản sao lưu / Checking the backup")
    try:
        with tarfile.open(path, "r:gz") as archive:
            manifest = _read_manifest(archive, path)
            entries = manifest["entries"]
            seen = set()
            for info in archive:
                if info.name == MANIFEST:
                    continue
                if info.name not in entries or not info.isfile():
                    raise _not_a_backup(path)
                target = staging / info.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with archive.extractfile(info) as source, target.open("wb") as copy:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        copy.write(chunk)
                if digest.hexdigest() != entries[info.name]["sha256"]:
                    raise UserError(
                        f"Tệp {info.name} trong bản sao lưu sai mã kiểm tra (SHA-256); không khôi phục",
                        f"{info.name} in the backup fails its SHA-256 check; nothing was restored",
                    )
                seen.add(info.name)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise _not_a_backup(path) from exc
    if missing := sorted(set(entries) - seen):
        raise UserError(
            f"Bản sao lưu thiếu tệp {missing[0]}; không khôi phục",
            f"The backup lacks {missing[0]}; nothing was restored",
        )
    return manifest


def _restore_database(dump: Path) -> None:
    if vendor() == "sqlite":
        connection.close()
        target = Path(_database()["NAME"])
        for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)  # an empty database (checked) and its journal
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dump, target)
    else:
        # One transaction: a failed restore leaves the database empty, as it was.
        _run_pg(
            "pg_restore",
            ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", str(dump)],
        )


def _relocate_stored_paths(old_home: str) -> None:
    """Rows that name a stored file keep its absolute path: point them into this home."""
    new_home = str(settings.HOME)
    if old_home == new_home:
        return
    for model in apps.get_models():
        if any(field.name == "stored_path" for field in model._meta.concrete_fields):
            model.objects.filter(stored_path__startswith=f"{old_home}/").update(
                stored_path=Replace(F("stored_path"), Value(f"{old_home}/"), Value(f"{new_home}/"))
            )
