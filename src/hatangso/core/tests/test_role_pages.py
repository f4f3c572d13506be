"""Every role against every page and API endpoint: outside its scope a user gets 404 (401 / a
redirect to the login page without an account), never data; refused writes write nothing."""

import json
from datetime import date

import pytest

from hatangso.collection import workflow
from hatangso.collection.models import DataElement, DataValue
from hatangso.collection.services import import_values, set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.registry.imports import import_stations
from hatangso.registry.models import Operator, Site

JUNE = date(2024, 6, 1)
ROLES = ["plan_owner", "agency", "leader", "commune", "enterprise", "public"]


@pytest.fixture
def world(seed_plan, actor, tmp_path):
    def put(code, unit, value, operator=None):
        return set_value(
            element=DataElement.objects.get(code=code), unit=resolve_unit(unit, start=JUNE), period="2024",
            value=str(value), actor=actor, operator=Operator.objects.get(code=operator) if operator else None,
        )  # fmt: skip

    values = {
        "own": put("population", "19996", 10000),
        "other_commune": put("population", "20005", 7000),
        "own_operator": put("mobile_subscriptions", "480", 9000, "viettel"),
        "competitor": put("mobile_subscriptions", "480", 4000, "vnpt"),
    }
    form = seed_plan.forms.get(code="ubnd_xa_nam")
    submissions = {
        code: workflow.get_submission(
            form=form,
            unit=resolve_unit(code, start=JUNE),
            operator=None,
            period="2024",
            user=COMMAND_LINE,
            actor=actor,
        )
        for code in ("19996", "20005")
    }
    both = tmp_path / "ca-thi-xa.csv"
    both.write_text(
        "ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,households,3000\n2024,20005,households,2000\n"
    )
    batch = import_values(path=both, actor=actor, user=COMMAND_LINE).batch
    stations = tmp_path / "tram.csv"
    stations.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong\n"
        "V1,viettel,4G,16.53,107.47,19996,01/01/2020\nN1,vnpt,4G,16.53001,107.47001,19996,01/01/2020\n"
    )
    import_stations(path=stations, actor=actor, user=COMMAND_LINE)
    tokens, users = {}, {}
    for role, unit, operator, agency in (
        ("plan_owner", "480", None, None),
        ("agency", "480", None, "phong_qldt"),
        ("leader", "480", None, None),
        ("commune", "19996", None, None),
        ("enterprise", None, "viettel", None),
    ):
        user = create_user(username=role, password="a long passphrase 2024", actor=actor)
        grant_membership(
            user=user, role=role, actor=actor, unit=resolve_unit(unit, start=JUNE) if unit else None,
            operator=Operator.objects.get(code=operator) if operator else None,
            agency=Agency.objects.get(code=agency) if agency else None,
        )  # fmt: skip
        users[role] = user
        tokens[role] = create_api_token(user=user, name="t", actor=actor)[1]
    return {"plan": seed_plan, "form": form, "values": values, "submissions": submissions, "batch": batch,
            "site": Site.objects.get(), "users": users, "tokens": tokens}  # fmt: skip


def page(client, world, role, url):
    client.logout()
    if role != "public":
        client.force_login(world["users"][role])
    return client.get(url).status_code


def api(client, world, role, method, url, body=None):
    headers = {} if role == "public" else {"HTTP_AUTHORIZATION": f"Bearer {world['tokens'][role]}"}
    response = getattr(client, method)(
        f"/api/v1/{url}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        **headers,
    )
    return response.status_code, (
        response.json() if response["Content-Type"].startswith("application/json") else None
    )


PAGES = {
    # url template: expected status per role, in ROLES order
    "/": [200, 200, 200, 200, 200, 302],  # the dashboard; the public goes to /cong-khai/
    "/phan-anh/": [200, 200, 200, 200, 200, 200],
    "/nhap-lieu/": [200, 200, 200, 200, 200, 302],
    "/nhap-lieu/{form}/2024/": [404, 404, 404, 200, 404, 302],
    "/ke-hoach/1529-kh-ubnd/duyet/": [200, 404, 404, 404, 404, 302],
    "/duyet/{other_submission}/": [200, 404, 404, 404, 404, 302],
    "/bieu/{form}/": [200, 404, 404, 404, 404, 302],
    "/ha-tang/vi-tri/": [200, 404, 404, 404, 404, 302],
    "/ke-hoach/1529-kh-ubnd/bao-cao/": [200, 404, 404, 404, 404, 302],
    "/ke-hoach/1529-kh-ubnd/nhiem-vu/": [200, 200, 200, 200, 200, 302],
    "/phan-anh/xu-ly/": [200, 200, 404, 200, 200, 302],  # a commune, an operator: its own (none here)
    "/tep-nhap/{batch}/": [200, 200, 200, 404, 404, 302],
    "/admin/": [302, 302, 302, 302, 302, 302],
}


@pytest.mark.parametrize("url", list(PAGES))
def test_pages(world, client, url):
    filled = url.format(
        form=world["form"].pk, other_submission=world["submissions"]["20005"].pk, batch=world["batch"].pk
    )
    got = [page(client, world, role, filled) for role in ROLES]
    assert got == PAGES[url], dict(zip(ROLES, got, strict=True))


def test_values_api_shows_each_role_its_own(world, client):
    seen = {}
    for role in ROLES:
        status, body = api(client, world, role, "get", "values/?limit=100")
        seen[role] = (
            status,
            sorted({(v["unit"], v["operator"] or "") for v in body["items"]}) if status == 200 else None,
        )
    everything = [("19996", ""), ("20005", ""), ("480", "viettel"), ("480", "vnpt")]
    assert seen["plan_owner"] == seen["agency"] == seen["leader"] == (200, sorted(everything))
    assert seen["commune"] == (200, [("19996", "")])
    assert seen["enterprise"] == (200, [("480", "viettel")])
    assert seen["public"][0] == 401


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("other_commune", [200, 200, 200, 404, 404, 401]),
        ("competitor", [200, 200, 200, 404, 404, 401]),
        ("own_operator", [200, 200, 200, 404, 200, 401]),
    ],
)
def test_one_value(world, client, value, expected):
    pk = world["values"][value].pk
    assert [api(client, world, role, "get", f"values/{pk}")[0] for role in ROLES] == expected


def test_writes_outside_the_scope_write_nothing(world, client):
    body = {"data_element": "population", "unit": "20005", "period": "2024", "value": "1", "version": 1}
    for role in ("agency", "leader", "commune", "enterprise"):
        assert api(client, world, role, "put", "values/", body)[0] == 404, role
    assert api(client, world, "public", "put", "values/", body)[0] == 401
    assert DataValue.objects.get(pk=world["values"]["other_commune"].pk).value == 7000
    assert api(client, world, "plan_owner", "put", "values/", body)[0] == 200


def test_the_workflow_by_role(world, client):
    own = world["submissions"]["19996"].pk
    other = world["submissions"]["20005"].pk
    assert [api(client, world, role, "get", f"submissions/{other}")[0] for role in ROLES] == [
        200,
        200,
        200,
        404,
        404,
        401,
    ]
    assert api(client, world, "enterprise", "post", f"submissions/{own}/submit", {})[0] == 404
    assert api(client, world, "commune", "post", f"submissions/{own}/submit", {})[0] == 200
    for role in ("agency", "leader", "commune", "enterprise"):
        assert api(client, world, role, "post", f"submissions/{own}/approve", {})[0] == 404, role
    status, body = api(client, world, "plan_owner", "post", f"submissions/{own}/approve", {})
    assert (status, body["status"]) == (200, "approved")


def test_registry_and_reports_by_role(world, client):
    stations = {
        role: api(client, world, role, "get", "registry/stations")[1] for role in ROLES if role != "public"
    }
    assert [s["code"] for s in stations["enterprise"]["items"]] == ["V1"]
    assert [s["code"] for s in stations["commune"]["items"]] == []
    assert len(stations["plan_owner"]["items"]) == 2
    site = world["site"].code
    assert [api(client, world, role, "post", f"registry/sites/{site}/confirm", {})[0] for role in ROLES] == [
        200,
        404,
        404,
        404,
        404,
        401,
    ]
    report = [api(client, world, role, "get", "plans/1529-kh-ubnd/report.xlsx")[0] for role in ROLES]
    assert report == [200, 200, 200, 404, 404, 401]
    # The public reads only what the plan owner published (nothing here); an account, the live one.
    scorecard = [api(client, world, role, "get", "plans/1529-kh-ubnd/scorecard")[0] for role in ROLES]
    assert scorecard == [200, 200, 200, 200, 200, 404]
