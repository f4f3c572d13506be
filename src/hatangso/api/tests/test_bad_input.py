"""Bad input never gives a 500 (issue 16, items 8 and 11): huge page numbers, ids and dates, a deeply
nested JSON file and untyped form fields get 404/422 with one sentence, and nothing is written."""

import json
from datetime import date

import pytest

from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.workplan.models import Task

PASSWORD = "a long passphrase 2024"
HUGE = "99999999999999999999"
NOT_FOUND_PAGE = "Trang này không có, hoặc nằm ngoài phạm vi tài khoản của bạn."


@pytest.fixture
def users(seed_plan, actor):
    made = {}
    for name, role, unit, agency in (
        ("owner", "plan_owner", "480", None),
        ("tuha", "commune", "19996", None),
        ("qldt", "agency", "480", "phong_qldt"),
    ):
        user = create_user(username=name, password=PASSWORD, actor=actor)
        grant_membership(
            user=user, role=role, actor=actor, unit=resolve_unit(unit, start=date(2024, 6, 1)),
            agency=Agency.objects.get(code=agency) if agency else None,
        )  # fmt: skip
        made[name] = (user, create_api_token(user=user, name="t", actor=actor)[1])
    return made


def get(client, users, url, who="owner"):
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {users[who][1]}")
    return response.status_code, response.json()


PAGED = ["values/", "submissions/", "units/", "registry/sites", "registry/stations"]
BOUNDS = [
    (f"limit={HUGE}", "limit"),
    (f"offset={HUGE}", "offset"),
    ("limit=1001", "limit"),
    ("limit=0", "limit"),
]


def test_page_bounds_are_refused_with_422(client, users):
    for path in PAGED:
        for query, field in BOUNDS:
            status, body = get(client, users, f"/api/v1/{path}?{query}")
            assert status == 422, (path, query)
            assert (body["detail"], body["detail_en"]) == (
                f"Tham số không hợp lệ: {field}",
                f"Invalid parameters: {field}",
            )
            assert [e["loc"] for e in body["errors"]] == [["query", field]]


def test_ids_days_and_periods_are_typed(client, users):
    """Ids beyond a bigint, days that are numbers (`on=-1.9e-230`), periods that are not DHIS2
    codes: 422 naming the parameter. The largest page and a real day still answer."""
    for url, field in [
        *((f"/api/v1/{path}", "value_id" if path.startswith("values") else "submission_id")
          for path in (f"values/{HUGE}", f"submissions/{HUGE}", f"submissions/{HUGE}/checks", "values/0")),
        *((f"/api/v1/units/?on={on}", "on")
          for on in ("-1.9e-230", "0", "1700000000", "2024-13-01", "01/06/2024")),
        *((f"/api/v1/values/?period={period}", "period")
          for period in ("0000", "2024Q5", "202413", "tháng 9", "2024-09")),
    ]:  # fmt: skip
        status, body = get(client, users, url)
        assert (status, body["detail_en"]) == (422, f"Invalid parameters: {field}"), url
    status, body = get(client, users, "/api/v1/values/?limit=1000&offset=1000000000")
    assert (status, body["items"]) == (200, [])
    status, body = get(client, users, "/api/v1/units/?on=2024-06-01&code=19996")
    assert (status, [u["name"] for u in body["items"]]) == (200, ["Phường Tứ Hạ"])


def test_bad_token_is_one_sentence(client, seed_plan):
    response = client.get("/api/v1/values/", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Cần đăng nhập hoặc mã truy cập (token) hợp lệ",
        "detail_en": "A login or a valid API token is required",
    }


def test_deeply_nested_json_import_is_refused(client, users, tmp_path, table_counts):
    nested = "[" * 100_000 + "]" * 100_000
    document = '{"dataValues": [{"dataElement": "households", "value": ' + nested + "}]}"
    path = tmp_path / "long.json"
    path.write_text(document)
    before = table_counts()
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/values/import", {"file": handle}, HTTP_AUTHORIZATION=f"Bearer {users['tuha'][1]}"
        )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Tệp long.json lồng quá 20 cấp; dataValueSets chỉ cần 3 cấp",
        "detail_en": "File long.json nests deeper than 20 levels; dataValueSets need 3",
    }
    assert table_counts() == before


def test_nesting_inside_strings_does_not_count(client, users, tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(
        json.dumps(
            {
                "dataValues": [
                    {
                        "dataElement": "households",
                        "period": "2024",
                        "orgUnit": "19996",
                        "value": "12",
                        "comment": "[[[[[[[[[[[[[[[[[[[[[[[[ {{{{{",
                    }
                ]
            }
        )
    )
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/values/import", {"file": handle}, HTTP_AUTHORIZATION=f"Bearer {users['tuha'][1]}"
        )
    assert (response.status_code, response.json().get("created")) == (200, 1), response.json()


def test_bad_posted_ids_are_404(client, users, table_counts):
    """`incident` of the triage page and `decide` of a task page are ids: anything else is 404."""
    task = Task.objects.get(item__number="VI.2")
    for who, url, field, values in (
        ("qldt", "/phan-anh/xu-ly/", "incident", ["abc", HUGE, "-1", ""]),
        ("owner", f"/ke-hoach/1529-kh-ubnd/nhiem-vu/{task.pk}/", "decide", ["abc", HUGE, "1.5"]),
    ):
        client.force_login(users[who][0])
        before = table_counts()
        for value in values:
            response = client.post(url, {field: value, "status": "resolved", "action": "accept"})
            assert response.status_code == 404, (url, value)
            assert NOT_FOUND_PAGE in response.content.decode()
        assert table_counts() == before


def test_entry_pages_with_a_bad_period_or_form_are_404(client, users):
    client.force_login(users["tuha"][0])
    for url in ("/nhap-lieu/1/abc/", "/nhap-lieu/1/0000/", f"/nhap-lieu/{HUGE}/2024/",
                "/nhap-lieu/1/abc/excel/", f"/nhap-lieu/{HUGE}/2024/excel/"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 404, url
        assert NOT_FOUND_PAGE in response.content.decode()


def test_nul_characters_are_refused_before_the_database(client, users, table_counts):
    """PostgreSQL cannot hold or compare text with NUL: refused (400) on both databases alike."""
    auth = {"HTTP_AUTHORIZATION": f"Bearer {users['owner'][1]}"}
    before = table_counts()
    answers = [
        client.get(url, **auth)
        for url in ("/api/v1/values/?unit=%00", "/api/v1/registry/sites/a%00", "/api/v1/units/?code=%00")
    ]
    answers.append(
        client.put(
            "/api/v1/values/",
            data='{"data_element": "population", "unit": "19996", "period": "2024", "value": "1",'
            ' "comment": "a\\u0000b"}',
            content_type="application/json",
            **auth,
        )
    )
    for response in answers:
        assert response.status_code == 400
        assert response.json() == {
            "detail": "Yêu cầu chứa ký tự NUL (0x00), không được nhận",
            "detail_en": "The request contains a NUL character (0x00), which is not accepted",
        }
    assert table_counts() == before
    escaped = client.put(  # the six characters \u0000, written escaped in JSON, are no NUL
        "/api/v1/values/",
        data='{"data_element": "population", "unit": "19996", "period": "2024", "value": "1",'
        ' "comment": "a\\\\u0000b"}',
        content_type="application/json",
        **auth,
    )
    assert (escaped.status_code, escaped.json()["comment"]) == (200, "a\\u0000b")
