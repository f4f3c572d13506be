from pathlib import Path

from hatangso.backup.services import backup
from hatangso.core.management.base import HatangsoCommand


class Command(HatangsoCommand):
    help = "Sao lưu toàn bộ dữ liệu vào một tệp / Back up every piece of data into one archive"
    # A backup copies what is there; it must not migrate the database it copies.
    needs_database = False

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="tệp sao lưu / the archive (.tar.gz)")
        parser.add_argument(
            "--with-secret-key",
            action="store_true",
            help="kèm khóa bí mật (giữ phiên đăng nhập khi khôi phục) / include the secret key "
            "(sessions survive a restore); keep such an archive as safe as the key",
        )

    def handle(self, *args, **options):
        with self.console.status("Sao lưu / Backing up") as status:
            result = backup(options["out"], with_secret_key=options["with_secret_key"], report=status.update)
        for work in result.removed:
            self.console.print(
                f"Đã xóa phần dở dang của một lần sao lưu bị dừng / Removed what a stopped backup "
                f"left: {work}",
                markup=False,
                soft_wrap=True,
            )
        vi, en = ("có", "with") if result.secret_key else ("không có", "without")
        self.console.print(
            f"Đã sao lưu cơ sở dữ liệu và {result.files} tệp, {vi} khóa bí mật / Backed up the database and "
            f"{result.files} files, {en} the secret key: {result.path} ({result.size:,} bytes)",
            markup=False,
            soft_wrap=True,
        )
