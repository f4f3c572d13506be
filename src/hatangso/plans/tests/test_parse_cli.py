"""`hatangso plan parse` on garbage, run as the real command: one clear sentence, exit code 1, no
traceback, nothing written."""

import pytest

from hatangso.utilities.testing import assert_user_error
from hatangso.utilities.testing import run_cli as hatangso

GARBAGE = [
    ("empty", "rong.txt", b"", "Tệp rong.txt rỗng", "File rong.txt is empty"),
    ("binary", "rac.bin", b"\x00\x01\x02\xff\xfe binary", "không phải văn bản", "is not a document"),
    (
        "random_pdf",
        "hong.pdf",
        b"%PDF-1.4\n" + bytes(range(256)) * 8,
        "Không đọc được PDF hong.pdf",
        "Cannot read the PDF hong.pdf",
    ),
    (
        "not_a_plan",
        "bien-ban.txt",
        "Biên bản họp thôn về vệ sinh môi trường.".encode(),
        "Văn bản không giống một kế hoạch",
        "The document does not look like a plan",
    ),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory, cli_database):
    return tmp_path_factory.mktemp("plan-parse-home")


@pytest.mark.parametrize(("name", "content", "vi", "en"), [pytest.param(*g[1:], id=g[0]) for g in GARBAGE])
def test_plan_parse_of_garbage(home, tmp_path, name, content, vi, en):
    document = tmp_path / name
    document.write_bytes(content)
    out = tmp_path / "ban-nhap.yaml"
    result = hatangso(home, "plan", "parse", str(document), "--out", str(out), columns=200)
    assert result.returncode == 1
    assert_user_error(result, vi, en)
    assert not out.exists()
