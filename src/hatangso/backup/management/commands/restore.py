from pathlib import Path

from hatangso.backup.services import restore
from hatangso.core.management.base import HatangsoCommand


class Command(HatangsoCommand):
    help = "Khôi phục bản sao lưu vào thư mục dữ liệu trống / Restore a backup into an empty home"
    # The database must stay empty until the archive's copy replaces it.
    needs_database = False

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="tệp sao lưu / the archive made by `hatangso backup`")

    def handle(self, *args, **options):
        with self.console.status("Khôi phục / Restoring") as status:
            result = restore(options["file"], report=status.update)
        self.console.print(
            f"Đã khôi phục cơ sở dữ liệu và {result.files} tệp (sao lưu lúc {result.created_at}) / "
            f"Restored the database and {result.files} files (backed up at {result.created_at})",
            markup=False,
            soft_wrap=True,
        )
        if not result.secret_key:
            self.console.print(
                "Bản sao lưu không có khóa bí mật: thư mục này dùng khóa mới, nên phiên đăng nhập "
                "và liên kết đặt lại mật khẩu cũ không còn hiệu lực (mã API vẫn dùng được) / "
                "The backup has no secret key: this home uses a new one, so earlier sessions and "
                "password-reset links no longer verify (API tokens still work)",
                markup=False,
                soft_wrap=True,
            )
