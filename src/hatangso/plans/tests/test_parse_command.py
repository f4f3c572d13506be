"""`hatangso plan parse` on a targets part pasted alone (issue 20, item 2), in process: the draft is
written with the missing header listed for review; a text with no targets is still refused."""

import io

import pytest
import yaml
from django.core.management import call_command

from hatangso.plans.tests.test_parse_targets import EXCERPT
from hatangso.utilities.errors import UserError


def test_an_excerpt_is_drafted_with_its_missing_header_to_review(reference_units, tmp_path):
    document = tmp_path / "chi-tieu.txt"
    document.write_text(EXCERPT, encoding="utf-8")
    out = tmp_path / "ban-nhap.yaml"
    errors = io.StringIO()
    call_command("plan", "parse", str(document), "--out", str(out), stderr=errors)
    summary = errors.getvalue()
    assert summary.startswith("?: 7 chỉ tiêu / indicators, 0 nội dung / items, ")
    assert "no document number found" in summary and "no plan title found" in summary
    text = out.read_text(encoding="utf-8")
    assert "#   - Chỉ tiêu chưa khớp danh mục" in text
    assert len(yaml.safe_load(text)["indicators"]) == 7


def test_a_text_without_targets_or_sections_is_refused_and_nothing_is_written(reference_units, tmp_path):
    document = tmp_path / "thong-bao.txt"
    document.write_text("Thông báo lịch trực Tết.\nCác đơn vị bố trí người trực.", encoding="utf-8")
    out = tmp_path / "ban-nhap.yaml"
    with pytest.raises(UserError) as error:
        call_command("plan", "parse", str(document), "--out", str(out))
    assert error.value.en == (
        "The document does not look like a plan (no number, no sections I, II, …, no targets)"
    )
    assert not out.exists()
