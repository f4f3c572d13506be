"""Uploaded files judged by their content, not their name, and kept with a checksum.

Only document and image kinds an office exchanges are accepted; everything is later served as a
download (never inline), so an uploaded HTML or script can do nothing in a browser.
"""

import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from hatangso.utilities.errors import UserError

DOCUMENT_KINDS = {"pdf", "docx", "xlsx", "odt", "ods", "jpeg", "png"}
IMAGE_KINDS = {"jpeg", "png"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


OPEN_DOCUMENT_KINDS = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def sniff_kind(data: bytes) -> str | None:
    """The file's kind from its first bytes (and, for Office files, the parts inside the zip)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    return OPEN_DOCUMENT_KINDS.get(mimetype)
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
        except zipfile.BadZipFile:
            return None
    return None


def check_upload(upload: Upload, *, kinds: set[str], max_bytes: int) -> str:
    """The upload's kind, or a UserError naming the file and what is accepted."""
    if len(upload.data) > max_bytes:
        raise UserError(
            f"Tệp {upload.name} lớn hơn {max_bytes // 2**20} MB",
            f"File {upload.name} is larger than {max_bytes // 2**20} MB",
        )
    kind = sniff_kind(upload.data)
    if kind not in kinds:
        accepted = ", ".join(sorted(kinds))
        raise UserError(
            f"Tệp {upload.name} không thuộc loại được nhận ({accepted})",
            f"File {upload.name} is not an accepted kind ({accepted})",
        )
    return kind


# Incident photos are decoded to strip their metadata: a small file can hold a huge picture (a
# "decompression bomb"), so the size its header declares is checked before any pixel is decoded.
IMAGE_MAX_PIXELS = 40_000_000


def _too_large(name: str) -> UserError:
    limit = IMAGE_MAX_PIXELS // 1_000_000
    return UserError(
        f"Ảnh {name} quá lớn (tối đa {limit} megapixel)",
        f"Image {name} is too large (at most {limit} megapixels)",
    )


def without_metadata(data: bytes, kind: str, name: str = "") -> bytes:
    """The image re-encoded from its pixels only: EXIF (GPS position, camera, owner), XMP, ICC,
    JPEG comments and PNG text chunks are all gone. The pixel count is read from the header
    (Pillow opens lazily) and refused over IMAGE_MAX_PIXELS before anything is decoded; Pillow's
    own decompression-bomb check (Image.MAX_IMAGE_PIXELS) stays on as a second guard."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # only photo uploads need Pillow

    name = name or "ảnh"
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise _too_large(name)
            image = ImageOps.exif_transpose(image)
            if kind == "jpeg":
                image = image.convert("RGB")
            elif image.mode not in ("1", "L", "P", "RGB", "RGBA") or "transparency" in image.info:
                image = image.convert("RGBA")
            # A new image from the pixels alone: nothing of `info` (comment, text chunks, ICC,
            # EXIF, XMP) can reach the encoder.
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            if image.mode == "P":
                clean.putpalette(image.getpalette())
            out = io.BytesIO()
            if kind == "jpeg":
                clean.save(out, format="JPEG", quality=88)
            else:
                clean.save(out, format="PNG")
            return out.getvalue()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(name) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UserError(f"Ảnh {name} bị hỏng", f"Image {name} is damaged") from exc


def store(data: bytes, folder: str, kind: str) -> tuple[Path, str]:
    """Keep the bytes under HATANGSO_HOME/<folder> with a random name; (path, sha256)."""
    digest = hashlib.sha256(data).hexdigest()
    target = settings.HOME / folder
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{uuid.uuid4().hex}.{kind}"
    path.write_bytes(data)
    return path, digest
