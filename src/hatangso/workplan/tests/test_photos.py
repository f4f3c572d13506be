"""Incident photos (issue 16 items 6 and 10): a decompression bomb is refused from its header before
anything is decoded, every piece of metadata is stripped, and those who triage see the photos."""

import io
import struct
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.utilities.errors import UserError
from hatangso.utilities.files import without_metadata
from hatangso.workplan.models import Incident, IncidentPhoto

PASSWORD = "a long passphrase 2024"


def upload(data: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def png_bomb(size: int = 13000) -> bytes:
    """A 13000 × 13000 palette PNG: 169 megapixels in a few kilobytes of file."""
    buffer = io.BytesIO()
    Image.new("P", (size, size), 0).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_with_metadata() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (16.0, 30.0, 0.0)}  # GPSInfo
    exif[0x013B] = "Nguyen Van A"  # Artist
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), "blue").save(
        buffer, format="JPEG", exif=exif, comment=b"so nha 12 kiet 3, SDT 0905123456",
        icc_profile=b"\0" * 128,
    )  # fmt: skip
    return buffer.getvalue()


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's segments up to the start of the scan."""
    markers, at = [], 2
    while at < len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        at += 2 + length
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append(data[at + 4 : at + 8])
        at += 12 + length
    return chunks


def report(client, photos):
    return client.post(
        "/phan-anh/",
        {"category": "unsafe", "description": "Cột viễn thông nghiêng sát nhà dân",
         "address": "Tổ 3, phường Tứ Hạ", "photos": photos},
    )  # fmt: skip


def data_counts(table_counts) -> dict:
    """Every table but the address's rate counter (a refused report is not data)."""
    return {table: n for table, n in table_counts().items() if table != "core.RateCounter"}


def stored_files(settings) -> set:
    folder = settings.HOME / "incident-photos"
    return set(folder.glob("*")) if folder.exists() else set()


def test_a_decompression_bomb_is_refused_before_decoding(seed_plan, client, table_counts, settings):
    bomb = png_bomb()
    assert len(bomb) < 500_000  # cheap to make, huge to decode
    before, files = data_counts(table_counts), stored_files(settings)
    with pytest.warns(Image.DecompressionBombWarning):  # Pillow's own guard, on the header only
        response = report(client, [upload(bomb, "bom.png")])
    assert response.status_code == 400
    assert "Ảnh bom.png quá lớn (tối đa 40 megapixel)" in response.content.decode()
    assert data_counts(table_counts) == before and stored_files(settings) == files
    assert not Incident.objects.exists() and not IncidentPhoto.objects.exists()


def test_pillows_own_bomb_check_gives_the_same_sentence(monkeypatch):
    """Behind the header check Pillow's own guard stays on: an image over twice
    Image.MAX_IMAGE_PIXELS raises DecompressionBombError, turned into the form's sentence."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    buffer = io.BytesIO()
    Image.new("RGB", (30, 30), "red").save(buffer, format="PNG")
    with pytest.raises(UserError) as refused:
        without_metadata(buffer.getvalue(), "png", "anh.png")
    assert (
        str(refused.value)
        == "Ảnh anh.png quá lớn (tối đa 40 megapixel) / Image anh.png is too large (at most 40 megapixels)"
    )


def test_a_damaged_image_is_one_sentence():
    with pytest.raises(UserError) as refused:
        without_metadata(b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "png", "hong.png")
    assert str(refused.value) == "Ảnh hong.png bị hỏng / Image hong.png is damaged"


def test_every_piece_of_metadata_is_stripped(seed_plan, client):
    original = jpeg_with_metadata()
    assert 0xFE in jpeg_segments(original) and b"0905123456" in original  # the comment is there
    assert report(client, [upload(original, "cot.jpg")]).status_code == 200
    stored = Path(IncidentPhoto.objects.get().stored_path).read_bytes()
    assert b"0905123456" not in stored and b"Nguyen Van A" not in stored
    markers = jpeg_segments(stored)
    assert 0xFE not in markers  # no COM segment
    assert not {0xE1, 0xE2} & set(markers)  # no APP1 (EXIF, XMP), no APP2 (ICC)
    assert Image.open(io.BytesIO(stored)).size == (24, 16)

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "so nha 12 kiet 3")
    text.add_text("Author", "Nguyen Van A", zip=True)
    text.add_itxt("Description", "SDT 0905123456")
    for mode in ("RGB", "RGBA", "P", "L"):
        buffer = io.BytesIO()
        Image.new(mode, (10, 10)).save(buffer, format="PNG", pnginfo=text)
        assert {b"tEXt", b"zTXt", b"iTXt"} <= set(png_chunks(buffer.getvalue()))
        cleaned = without_metadata(buffer.getvalue(), "png", "anh.png")
        assert set(png_chunks(cleaned)) <= {b"IHDR", b"PLTE", b"IDAT", b"IEND"}, mode
        assert Image.open(io.BytesIO(cleaned)).mode == mode


def test_those_who_triage_see_the_photos_and_nobody_else(seed_plan, client, actor):
    photo = jpeg_with_metadata()
    assert report(client, [upload(photo, "cot.jpg")]).status_code == 200
    stored = IncidentPhoto.objects.get()
    url = f"/phan-anh/anh/{stored.pk}/"
    incident = stored.incident
    # The public: not on the reporter's private page, not by the photo's address.
    assert url not in client.get(f"/phan-anh/theo-doi/{incident.token}/").content.decode()
    assert client.get(url).status_code == 302  # the login page
    commune = create_user(username="tuha", password=PASSWORD, actor=actor)
    tuha = resolve_unit("19996", start=incident.created_at.date())
    grant_membership(user=commune, role="commune", unit=tuha, actor=actor)
    client.force_login(commune)
    assert client.get(url).status_code == 404  # not assigned to it
    owner = create_user(username="vhtt", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=seed_plan.area_unit, actor=actor)
    client.force_login(owner)
    page = client.get("/phan-anh/xu-ly/").content.decode()
    assert f'<img src="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == Path(stored.stored_path).read_bytes()
    assert client.get(f"/phan-anh/anh/{stored.pk + 1}/").status_code == 404
