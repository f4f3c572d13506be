"""PDF from the DOCX with LibreOffice headless, so the two never disagree."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from hatangso.utilities.errors import UserError

INSTALL_HINT_VI = "cài LibreOffice: sudo apt-get install libreoffice-writer-nogui fonts-liberation"
INSTALL_HINT_EN = "install LibreOffice: sudo apt-get install libreoffice-writer-nogui fonts-liberation"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise UserError(
            f"Không tìm thấy LibreOffice để tạo PDF; {INSTALL_HINT_VI} (tệp DOCX vẫn tạo được)",
            f"LibreOffice is needed for PDF; {INSTALL_HINT_EN} (DOCX works without it)",
        )
    return found


def docx_to_pdf(docx: Path, pdf: Path, timeout: int = 180) -> None:
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="hatangso-soffice-") as work:
        # A private profile: several conversions at once (or a running LibreOffice) do not collide.
        profile = Path(work, "profile").as_uri()
        result = subprocess.run(
            [
                program,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                work,
                str(docx),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        produced = Path(work) / f"{Path(docx).stem}.pdf"
        if result.returncode != 0 or not produced.is_file():
            raise UserError(
                f"LibreOffice không chuyển được sang PDF: {(result.stderr or result.stdout).strip()[:300]}",
                f"LibreOffice could not convert to PDF: {(result.stderr or result.stdout).strip()[:300]}",
            )
        shutil.move(produced, pdf)
