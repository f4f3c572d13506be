"""`hatangso backup` and `hatangso restore` as a user runs them, on the database the run uses
(SQLite, or PostgreSQL when HATANGSO_DATABASE_URL is set): the demo's home backed up and restored
into a new home must give the same scorecards, change log and files."""

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from hatangso.backup import services
from hatangso.utilities import testing
from hatangso.utilities.testing import assert_user_error, run_cli

PLANS = ("1529/KH-UBND", "27/KH-UBND", "159/KH-UBND")
# What reading the settings makes in any home (the key file only without HATANGSO_SECRET_KEY).
SETTINGS_MADE = {"static", "secret_key"}


@pytest.fixture
def scratch_database(cli_database):
    """Points the commands of one test at a database of their own: on PostgreSQL a new, empty one
    (dropped after), on SQLite each home's own file. Returns a function making one more."""
    with testing.scratch_databases() as make:
        yield make


def run_in(home: Path, database_url: str, *args: str, monkeypatch):
    monkeypatch.setattr(testing, "cli_database_url", database_url)
    return run_cli(home, *args)


# Stated here, not taken from the service, so a data folder it forgets fails the round trip.
NOT_DATA = {"static", "cache", "logs", "run", "secret_key", "templates-out"}


def file_checksums(home: Path) -> dict[str, str]:
    """Every file of the home but the database's and those made again on demand."""
    return {
        path.relative_to(home).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(home.rglob("*"))
        if path.is_file()
        and path.relative_to(home).parts[0] not in NOT_DATA
        and not path.name.startswith("hatangso.sqlite3")
    }


def scorecards(home: Path, database_url: str, monkeypatch) -> dict[str, dict]:
    cards = {}
    for plan in PLANS:
        result = run_in(home, database_url, "compute", "--plan", plan, "--json", monkeypatch=monkeypatch)
        assert result.returncode == 0, result.stderr
        # When a result was stored does not matter; what it is and from which data version does.
        cards[plan] = {k: v for k, v in json.loads(result.stdout).items() if k != "computed_at"}
    return cards


# The stored originals of this home: on PostgreSQL the demo's database is shared with the other
# command-line tests (conftest.cli_database), whose refused files are kept in homes of their own.
SHELL_FACTS = (
    "import json; from pathlib import Path; from django.conf import settings; "
    "from hatangso.core.models import ChangeLogEntry; from hatangso.collection.models import ImportBatch; "
    "print(json.dumps({'changes': ChangeLogEntry.objects.count(), "
    "'stored': sorted(b.stored_path for b in ImportBatch.objects.all() "
    "if b.stored_path.startswith(str(settings.HOME))), "
    "'missing': [b.stored_path for b in ImportBatch.objects.all() if not Path(b.stored_path).exists()]}))"
)


def facts(home: Path, database_url: str, monkeypatch) -> dict:
    result = run_in(home, database_url, "shell", "-c", SHELL_FACTS, monkeypatch=monkeypatch)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])  # after Django's line on the shell's imports


def table_count(database_url: str, home: Path) -> int:
    """The tables of the restore target's database (on SQLite, 1 when its file exists at all)."""
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as check:
            return check.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    return int((home / "hatangso.sqlite3").exists())


@pytest.fixture(scope="module")
def archive(demo, tmp_path_factory):
    home, _ = demo
    out = tmp_path_factory.mktemp("backups") / "hatangso.tar.gz"
    result = run_cli(home, "backup", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out, result


def test_round_trip_gives_the_same_scorecards_change_log_and_files(
    demo, archive, scratch_database, tmp_path, monkeypatch
):
    source, _ = demo
    out, backed_up = archive
    files = file_checksums(source)
    assert any(name.startswith("measurements/") and name.endswith(".parquet") for name in files)
    assert any(name.startswith("imports/") for name in files)
    assert f"cơ sở dữ liệu và {len(files)} tệp, không có khóa bí mật" in backed_up.stdout
    with tarfile.open(out) as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())
    assert manifest["database_vendor"] == ("postgresql" if testing.cli_database_url else "sqlite")
    assert manifest["secret_key_included"] is False
    assert {entry["path"]: entry["sha256"] for entry in manifest["files"]}.items() >= files.items()
    source_url = testing.cli_database_url
    before = scorecards(source, source_url, monkeypatch)
    source_facts = facts(source, source_url, monkeypatch)

    target, target_url = tmp_path / "restored", scratch_database()
    target.mkdir()
    restored = run_in(target, target_url, "restore", str(out), monkeypatch=monkeypatch)

    assert restored.returncode == 0, restored.stderr
    assert f"Đã khôi phục cơ sở dữ liệu và {len(files)} tệp" in restored.stdout
    assert "không có khóa bí mật" in " ".join(restored.stdout.split())
    assert file_checksums(target) == files
    assert scorecards(target, target_url, monkeypatch) == before
    target_facts = facts(target, target_url, monkeypatch)
    assert target_facts["changes"] == source_facts["changes"] > 0
    # The imported originals' rows name files of the new home, and every one is there.
    assert target_facts["stored"] == [p.replace(str(source), str(target)) for p in source_facts["stored"]]
    assert target_facts["missing"] == source_facts["missing"] == []


def test_the_secret_key_is_kept_only_when_asked(scratch_database, tmp_path, monkeypatch):
    monkeypatch.delenv("HATANGSO_SECRET_KEY", raising=False)  # each home keeps its own key file
    source, source_url = tmp_path / "source", scratch_database()
    source.mkdir()
    assert run_in(source, source_url, "plan", "list", monkeypatch=monkeypatch).returncode == 0
    out = tmp_path / "with-key.tar.gz"

    result = run_in(
        source, source_url, "backup", "--with-secret-key", "--out", str(out), monkeypatch=monkeypatch
    )
    assert result.returncode == 0, result.stderr
    assert "có khóa bí mật / Backed up" in " ".join(result.stdout.split())
    target, target_url = tmp_path / "target", scratch_database()
    target.mkdir()
    result = run_in(target, target_url, "restore", str(out), monkeypatch=monkeypatch)

    assert result.returncode == 0, result.stderr
    assert "không có khóa bí mật" not in " ".join(result.stdout.split())
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()
    with tarfile.open(out) as opened:
        assert json.loads(opened.extractfile("manifest.json").read())["secret_key_included"] is True


def test_the_secret_key_set_in_the_environment_is_not_in_the_home(demo, tmp_path):
    home, _ = demo
    out = tmp_path / "x.tar.gz"
    result = run_cli(home, "backup", "--with-secret-key", "--out", str(out))
    assert_user_error(
        result,
        "Khóa bí mật đặt bằng HATANGSO_SECRET_KEY, không có trong thư mục dữ liệu; hãy tự lưu giữ nó",
        "The secret key is set by HATANGSO_SECRET_KEY, not kept in the home; keep it yourself",
    )
    assert list(tmp_path.iterdir()) == []


def test_a_killed_backup_leaves_the_last_good_archive_and_the_next_cleans_up(demo, archive, tmp_path):
    home, _ = demo
    out = tmp_path / "hatangso.tar.gz"
    out.write_bytes(archive[0].read_bytes())
    good = hashlib.sha256(out.read_bytes()).hexdigest()
    script = Path(sys.executable).parent / "hatangso"
    env = testing.cli_environment(home, database_url=testing.cli_database_url)
    backup = subprocess.Popen([str(script), "backup", "--out", str(out)], cwd=home, env=env)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".hatangso.tar.gz.*.partial/database")):  # the dump being written
        assert backup.poll() is None, "the backup ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    backup.send_signal(signal.SIGKILL)
    backup.wait()

    assert backup.returncode == -signal.SIGKILL
    assert hashlib.sha256(out.read_bytes()).hexdigest() == good
    [stopped] = tmp_path.glob(".hatangso.tar.gz.*.partial")

    # The next backup into the folder (the next night's, under another name) removes what it left.
    result = run_cli(home, "backup", "--out", str(tmp_path / "hatangso-2.tar.gz"))
    assert result.returncode == 0, result.stderr
    assert f"Removed what a stopped backup left: {stopped}" in result.stdout
    assert sorted(path.name for path in tmp_path.iterdir()) == ["hatangso-2.tar.gz", "hatangso.tar.gz"]
    assert hashlib.sha256(out.read_bytes()).hexdigest() == good


def test_a_running_backups_work_folder_is_left_alone(tmp_path):
    work, lock = services._work_folder(tmp_path / "hatangso.tar.gz")
    (work / "database").write_bytes(b"dump")
    # Not a backup's work folder: an earlier release's partial file, something else's folder.
    others = {".hatangso.tar.gz.abcd1234.partial", ".other.partial"}
    (tmp_path / ".hatangso.tar.gz.abcd1234.partial").write_bytes(b"old")
    (tmp_path / ".other.partial").mkdir()
    try:
        assert services.remove_stopped_backups(tmp_path) == ()
        assert (work / "database").read_bytes() == b"dump"
    finally:
        os.close(lock)  # the backup ends without cleaning up, as a kill -9 leaves it
    assert services.remove_stopped_backups(tmp_path) == (work,)
    assert {path.name for path in tmp_path.iterdir()} == others


def test_restore_refuses_a_missing_file(scratch_database, tmp_path, monkeypatch):
    target, url = tmp_path / "target", scratch_database()
    target.mkdir()
    missing = tmp_path / "none.tar.gz"
    result = run_in(target, url, "restore", str(missing), monkeypatch=monkeypatch)
    assert_user_error(result, f"Không có tệp {missing}", f"There is no file {missing}")
    assert {p.name for p in target.iterdir()} <= SETTINGS_MADE
    assert table_count(url, target) == 0


def damaged(archive: Path, tmp_path: Path, member: str | None) -> Path:
    """The archive cut in half (member None), or with one member's bytes changed after its checksum."""
    path = tmp_path / "damaged.tar.gz"
    data = archive.read_bytes()
    if member is None:
        path.write_bytes(data[: len(data) // 2])
        return path
    with tarfile.open(archive) as source, tarfile.open(path, "w:gz") as copy:
        for info in source:
            content = source.extractfile(info).read()
            if info.name == member:
                content = content[:-1] + bytes([content[-1] ^ 1])
            copy.addfile(info, io.BytesIO(content))
    return path


@pytest.mark.parametrize(
    ("kind", "vi", "en"),
    [
        (
            "garbage",
            "Tệp damaged.tar.gz không phải bản sao lưu hatangso hoặc đã hỏng",
            "damaged.tar.gz is not a hatangso backup or is damaged",
        ),
        (
            "truncated",
            "Tệp damaged.tar.gz không phải bản sao lưu hatangso hoặc đã hỏng",
            "damaged.tar.gz is not a hatangso backup or is damaged",
        ),
        (
            "checksum",
            "Tệp reports/bao-cao-1529-kh-ubnd-2024.xlsx trong bản sao lưu sai mã kiểm tra (SHA-256); "
            "không khôi phục",
            "reports/bao-cao-1529-kh-ubnd-2024.xlsx in the backup fails its SHA-256 check; "
            "nothing was restored",
        ),
    ],
)
def test_restore_refuses_a_damaged_archive(kind, vi, en, archive, scratch_database, tmp_path, monkeypatch):
    if kind == "garbage":
        path = tmp_path / "damaged.tar.gz"
        path.write_bytes(b"not an archive at all")
    else:
        member = None if kind == "truncated" else "reports/bao-cao-1529-kh-ubnd-2024.xlsx"
        path = damaged(archive[0], tmp_path, member)
    target, url = tmp_path / "target", scratch_database()
    target.mkdir()
    result = run_in(target, url, "restore", str(path), monkeypatch=monkeypatch)
    assert_user_error(result, vi, en)
    assert {p.name for p in target.iterdir()} <= SETTINGS_MADE
    assert table_count(url, target) == 0


def test_restore_refuses_a_home_that_is_not_empty(demo, archive, monkeypatch):
    home, _ = demo
    changes = facts(home, testing.cli_database_url, monkeypatch)["changes"]
    before = {path: path.stat().st_mtime_ns for path in home.rglob("*") if path.is_file()}
    result = run_cli(home, "restore", str(archive[0]))
    assert_user_error(
        result,
        f"Thư mục dữ liệu {home} hoặc cơ sở dữ liệu của nó không trống; chỉ khôi phục vào nơi trống",
        f"The home {home} or its database is not empty; restore only into an empty one",
    )
    after = {path: path.stat().st_mtime_ns for path in home.rglob("*") if path.is_file()}
    assert {p: t for p, t in after.items() if "logs" not in p.parts} == before
    assert facts(home, testing.cli_database_url, monkeypatch)["changes"] == changes


def test_backup_refuses_a_missing_folder(demo, tmp_path):
    home, _ = demo
    out = tmp_path / "no-such-folder" / "x.tar.gz"
    result = run_cli(home, "backup", "--out", str(out))
    assert_user_error(result, f"Không có thư mục {out.parent}", f"There is no folder {out.parent}")
    assert list(tmp_path.iterdir()) == []


def test_backup_refuses_to_write_into_a_data_folder(demo):
    home, _ = demo
    out = home / "reports" / "x.tar.gz"
    result = run_cli(home, "backup", "--out", str(out))
    assert_user_error(
        result,
        f"Không ghi bản sao lưu vào thư mục dữ liệu {out.parent}",
        f"Do not write the backup into the data folder {out.parent}",
    )
    assert not list(out.parent.glob("*x.tar.gz*"))
