"""Registry pages (issue 8.6): the index, the lists with their FilterSets (the same sets filter the
API), CSV export, detail pages with history — each through the user's scope."""

import csv
import io
import re
from datetime import date

import pytest

from hatangso.analytics.services import evaluate_scorecard
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.registry.imports import import_gov_links, import_poles, import_stations
from hatangso.registry.models import Operator, Pole, Station
from hatangso.registry.services import add_tenancy
from hatangso.utilities.periods import parse_period

PASSWORD = "a long passphrase 2024"
STATIONS = (
    "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong,ten_tram\n"
    # Site of V1 + N1: Viettel and VNPT together (shared); M1 alone; V2 alone, built in 2025.
    "V1,viettel,4G,16.53,107.47,19996,01/03/2019,Tứ Hạ 1\n"
    "N1,vnpt,4G,16.53005,107.47005,19996,01/06/2021,Tứ Hạ VNPT\n"
    "M1,mobifone,4G,16.54,107.48,20005,01/01/2018,Hương Toàn\n"
    "V2,viettel,5G,16.56,107.49,20008,01/02/2025,Hương Vân mới\n"
    "N9,vnpt,3G,16.60,107.52,20005,01/01/2016,Bình Điền bí mật\n"
)
POLES = (
    "ma_cot,chu_so_huu,vi_do,kinh_do,ma_don_vi,doanh_nghiep_dung_chung,ngay_hoat_dong\n"
    "C1,viettel,16.53,107.47,19996,viettel;vnpt,01/01/2020\n"  # Viettel's, shared with VNPT
    "C2,viettel,16.531,107.471,19996,viettel,01/01/2020\n"  # Viettel's alone
    "C3,vnpt,16.54,107.48,20005,vnpt;viettel,01/01/2020\n"  # VNPT's; Viettel rents
    "C4,Điện lực Huế,16.55,107.49,20005,vnpt;mobifone,01/01/2020\n"  # nothing of Viettel's
)
LINKS = (
    "ma,tru_so,ma_don_vi,loai_ket_noi,tru_so_ubnd,doanh_nghiep,ngay_hoat_dong\n"
    "L1,UBND phường Tứ Hạ,19996,tslcd_2,1,vnpt,01/01/2020\n"
    "L2,UBND xã Hương Toàn,20005,tslcd_2,1,vnpt,01/01/2020\n"
)


@pytest.fixture
def registry(seed_plan, actor, tmp_path):
    for name, text, importer in (
        ("tram.csv", STATIONS, import_stations),
        ("cot.csv", POLES, import_poles),
        ("ket-noi.csv", LINKS, import_gov_links),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        importer(path=path, actor=actor, user=COMMAND_LINE, synthetic=True)
    return seed_plan


@pytest.fixture
def login(client, actor, seed_plan):
    def as_role(role, operator=None, unit=None):
        user = create_user(username=f"u-{role}-{operator or unit or ''}", password=PASSWORD, actor=actor)
        if role:
            area = seed_plan.area_unit if role in {"plan_owner", "leader", "agency"} else None
            if unit:
                area = seed_plan.area_unit.children.get(code=unit)
            grant_membership(
                user=user,
                role=role,
                actor=actor,
                unit=area,
                operator=Operator.objects.get(code=operator) if operator else None,
            )
        client.force_login(user)
        return client

    return as_role


def codes(response) -> list[str]:
    return [row["ma"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))]


def listed(client, kind, query="") -> list[str]:
    response = client.get(f"/ha-tang/{kind}/?{query}&format=csv")
    assert response.status_code == 200, response.content[:300]
    return codes(response)


def test_filters_give_the_right_rows(registry, login):
    owner = login("plan_owner")
    assert listed(owner, "tram") == ["M1", "V1", "V2", "N1", "N9"]  # by operator code, then code
    assert listed(owner, "tram", "operator=viettel") == ["V1", "V2"]
    assert listed(owner, "tram", "technology=5G") == ["V2"]
    assert listed(owner, "tram", "unit=20005&sort=-code") == ["N9", "M1"]
    assert listed(owner, "tram", "q=tứ hạ") == ["V1", "N1"]
    assert listed(owner, "tram", "in_service_on=2024-12-31&sort=code") == ["M1", "N1", "N9", "V1"]
    assert listed(owner, "tram", "in_service_on=31/12/2024&sort=code") == ["M1", "N1", "N9", "V1"]
    assert listed(owner, "cot", "shared=true") == ["C1", "C3", "C4"]
    assert listed(owner, "cot", "owner=vnpt") == ["C3"]
    assert listed(owner, "cot", "tenant=mobifone") == ["C4"]
    assert listed(owner, "truyen-so-lieu", "unit=19996") == ["L1"]
    sites = listed(owner, "vi-tri-tram", "shared=true")
    assert sites == [Station.objects.get(code="V1").site.code]
    assert listed(owner, "vi-tri-tram", "operator=mobifone") == [Station.objects.get(code="M1").site.code]


def sharing(plan, code, period="2024"):
    card = evaluate_scorecard(plan=plan, unit=plan.area_unit, period=parse_period(period)).as_json()
    found = next(i for i in card["indicators"] if i["code"] == code)
    return {"total": found["denominator"], "shared": found["numerator"]}


def test_page_counts_match_the_sharing_indicators(registry, login, actor):
    owner = login("plan_owner")
    poles = owner.get("/ha-tang/cot/?in_service_on=2024-12-31")
    assert poles.status_code == 200
    assert poles.context["counts"] == sharing(registry, "pole_sharing") == {"total": 4, "shared": 3}
    sites = owner.get("/ha-tang/vi-tri-tram/?in_service_on=2024-12-31")
    # 2024: V1+N1 (shared), M1, N9; V2 comes in 2025.
    assert sites.context["counts"] == sharing(registry, "bts_site_sharing") == {"total": 3, "shared": 1}
    assert owner.get("/ha-tang/vi-tri-tram/").context["counts"] == {"total": 4, "shared": 1}
    c2 = Pole.objects.get(code="C2")
    add_tenancy(
        item=c2,
        operator=Operator.objects.get(code="fpt"),
        since=date(2025, 1, 1),
        actor=actor,
        user=COMMAND_LINE,
    )
    assert owner.get("/ha-tang/cot/?in_service_on=2024-12-31").context["counts"]["shared"] == 3
    later = owner.get("/ha-tang/cot/?in_service_on=2025-06-30").context["counts"]
    assert later == sharing(registry, "pole_sharing", "2025Q2") == {"total": 4, "shared": 4}


def test_an_enterprise_never_sees_a_competitors_items(registry, login, actor):
    viettel = login("enterprise", operator="viettel")
    assert listed(viettel, "tram") == ["V1", "V2"]
    assert listed(viettel, "tram", "operator=vnpt") == []
    shared_site = Station.objects.get(code="V1").site.code
    assert listed(viettel, "vi-tri-tram") == sorted([shared_site, Station.objects.get(code="V2").site.code])
    # Probing where a competitor stands finds nothing beyond the user's own sites.
    assert listed(viettel, "vi-tri-tram", "operator=vnpt") == []
    assert listed(viettel, "cot") == ["C1", "C2", "C3"]  # owns C1, C2; rents C3; nothing of C4
    assert listed(viettel, "cot", "tenant=mobifone") == []  # C4's tenants are not Viettel's business
    assert listed(viettel, "cot", "tenant=vnpt") == ["C1"]  # its own pole's tenant, not C3's
    assert listed(viettel, "truyen-so-lieu") == []
    hidden = ["/ha-tang/tram/vnpt/N1/", "/ha-tang/tram/vnpt/N9/", "/ha-tang/cot/C4/"]
    for url in [*hidden, "/ha-tang/truyen-so-lieu/L1/"]:
        assert viettel.get(url).status_code == 404, url
    site = viettel.get(f"/ha-tang/vi-tri-tram/{shared_site}/")
    assert site.status_code == 200 and [s.code for s in site.context["stations"]] == ["V1"]
    text = site.content.decode()
    assert "N1" not in text and "Tứ Hạ VNPT" not in text and "dùng chung" in text
    rented = viettel.get("/ha-tang/cot/C3/")
    assert [t.operator.code for t in rented.context["tenancies"]] == ["viettel"]  # not VNPT's tenancy row
    assert "Chỉ hiển thị doanh nghiệp của bạn" in rented.content.decode()
    owned = viettel.get("/ha-tang/cot/C1/")
    assert [t.operator.code for t in owned.context["tenancies"]] == ["vnpt", "viettel"]  # by short name
    every_page = "".join(
        viettel.get(url).content.decode()
        for url in ("/ha-tang/", "/ha-tang/tram/", "/ha-tang/vi-tri-tram/", "/ha-tang/cot/", "/tep-nhap/")
    )
    assert "Bình Điền bí mật" not in every_page and ">N9<" not in every_page
    assert not re.search(r"\bC4\b", every_page)  # a word: the CSRF token's letters may hold "C4"
    index = viettel.get("/ha-tang/")
    counts = {row["kind"].slug: (row["total"], row.get("shared")) for row in index.context["rows"]}
    assert counts["tram"] == (2, None) and counts["cot"] == (3, 2)


def test_the_api_lists_filter_with_the_same_sets_and_scope(registry, client, actor):
    from hatangso.core.services import create_api_token

    def api(username, role, operator=None):
        user = create_user(username=username, password=PASSWORD, actor=actor)
        unit = registry.area_unit if role == "plan_owner" else None
        operator = Operator.objects.get(code=operator) if operator else None
        grant_membership(user=user, role=role, actor=actor, unit=unit, operator=operator)
        token = create_api_token(user=user, name="t", actor=actor)[1]
        return lambda path: client.get(f"/api/v1/registry/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")

    viettel, owner = api("viettel", "enterprise", "viettel"), api("vhtt", "plan_owner")
    assert [s["code"] for s in viettel("stations").json()["items"]] == ["V1", "V2"]
    assert [s["code"] for s in viettel("stations?operator=vnpt").json()["items"]] == []
    assert [s["code"] for s in owner("stations?technology=5G").json()["items"]] == ["V2"]
    poles = {p["code"]: p for p in viettel("poles").json()["items"]}
    assert sorted(poles) == ["C1", "C2", "C3"]
    assert poles["C3"]["tenants"] == ["viettel"] and poles["C3"]["tenant_count"] == 2
    assert poles["C1"]["tenants"] == ["vnpt", "viettel"] and poles["C3"]["shared"] is True
    assert [p["code"] for p in owner("poles?shared=true&sort=-code").json()["items"]] == ["C4", "C3", "C1"]
    assert [p["code"] for p in owner("poles?limit=2&offset=1").json()["items"]] == ["C2", "C3"]
    assert [g["code"] for g in owner("gov-links?commune_office=true").json()["items"]] == ["L1", "L2"]
    assert viettel("gov-links").json()["items"] == [] and viettel("zones").json()["items"] == []
    bad_filters = (
        ("stations?operator=nope", "operator"),
        ("poles?in_service_on=2024-13-45", "in_service_on"),
        ("stations?sort=lat", "sort"),
        ("zones?technology=6g", "technology"),
    )
    for bad, field in bad_filters:
        response = owner(bad)
        assert response.status_code == 400, bad
        assert response.json() == {
            "detail": f"Bộ lọc không hợp lệ ({field})",
            "detail_en": f"Invalid filter ({field})",
        }
    assert client.get("/api/v1/registry/poles").status_code == 401


def test_bad_filter_values_give_a_form_error(registry, login):
    owner = login("plan_owner")
    response = owner.get("/ha-tang/tram/?operator=nope&in_service_on=31-31-2024&technology=6G&unit=99999")
    assert response.status_code == 400
    form = response.context["filter"].form
    assert sorted(form.errors) == ["in_service_on", "operator", "technology", "unit"]
    page = response.content.decode()
    assert "Bộ lọc không hợp lệ (in_service_on, operator, technology, unit)" in page
    assert response.context["counts"] == {"total": 0}  # no rows on a bad filter, never all of them
    assert owner.get("/ha-tang/tram/?operator=nope&format=csv").status_code == 400  # no CSV either
    assert owner.get("/ha-tang/khong-co/").status_code == 404
    assert owner.get("/ha-tang/tram/?page=999").status_code == 200  # the last page


def test_lists_are_paginated_and_keep_their_filters(registry, login, actor, tmp_path):
    rows = "".join(f"P{n:03d},viettel,16.5{n:03d},107.47,19996,viettel,01/01/2020\n" for n in range(60))
    path = tmp_path / "nhieu-cot.csv"
    path.write_text(POLES.splitlines()[0] + "\n" + rows, encoding="utf-8")
    import_poles(path=path, actor=actor, user=COMMAND_LINE)
    owner = login("plan_owner")
    first = owner.get("/ha-tang/cot/?owner=viettel&sort=code")
    assert first.context["counts"] == {"total": 62, "shared": 1}
    assert len(first.context["page"].object_list) == 50
    assert "?owner=viettel&amp;sort=code&amp;page=2" in first.content.decode()
    second = owner.get("/ha-tang/cot/?owner=viettel&sort=code&page=2")
    # C1, C2, then P000…: the second page holds the last 12.
    assert [p.code for p in second.context["page"].object_list] == [f"P{n:03d}" for n in range(48, 60)]
    assert listed(owner, "cot", "owner=viettel").__len__() == 62  # the CSV has every filtered row


def test_csv_export_makes_formula_cells_safe_and_labels_synthetic_rows(registry, login, actor, tmp_path):
    path = tmp_path / "tram-xau.csv"
    path.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong,ten_tram\n"
        'V9,viettel,4G,16.57,107.47,19996,01/01/2020,"=HYPERLINK(""http://x"",""y"")"\n'
        "V8,viettel,4G,16.58,107.47,19996,01/01/2020,@SUM(A1)\n",
        encoding="utf-8",
    )
    import_stations(path=path, actor=actor, user=COMMAND_LINE)
    owner = login("plan_owner")
    response = owner.get("/ha-tang/tram/?operator=viettel&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ha-tang-stations.csv"'
    rows = {r["ma"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["V9"]["ten"] == '\'=HYPERLINK("http://x","y")' and rows["V8"]["ten"] == "'@SUM(A1)"
    assert rows["V9"]["du_lieu_mau"] == ""
    assert rows["V1"]["du_lieu_mau"] == "dữ liệu mẫu / synthetic demo data"
    assert rows["V1"]["ten_don_vi"] == "Phường Tứ Hạ" and rows["V1"]["trang_thai"] == "active"
    assert listed(owner, "tram", "q=HYPERLINK") == ["V9"]


def test_detail_page_shows_placement_tenants_and_history(registry, login, actor):
    owner = login("plan_owner")
    add_tenancy(
        item=Pole.objects.get(code="C2"),
        operator=Operator.objects.get(code="fpt"),
        actor=actor,
        user=COMMAND_LINE,
    )
    page = owner.get("/ha-tang/cot/C2/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Phường Tứ Hạ (19996)" in text and "Theo khai báo" in text  # placed by its declared code
    assert "dữ liệu mẫu" in text  # the fixture's items are synthetic
    assert (
        '<a href="/ke-hoach/1529-kh-ubnd/ban-do/?lat=16.531000&amp;lon=107.471000">' in text
    )  # the map page
    assert [t.operator.code for t in page.context["tenancies"]] == ["fpt", "viettel"]
    history = [(row["entry"].action, row["entry"].object_type) for row in page.context["history"]]
    assert ("create", "registry.pole") in history and ("create", "registry.poletenancy") in history
    assert history[0] == ("create", "registry.poletenancy")  # newest first
    station = owner.get("/ha-tang/tram/viettel/V1/")
    assert station.status_code == 200 and station.context["history"][0]["entry"].object_repr == "Viettel V1"
    assert f"/ha-tang/vi-tri-tram/{Station.objects.get(code='V1').site.code}/" in station.content.decode()
    assert owner.get("/ha-tang/tram/viettel/NOPE/").status_code == 404
    assert owner.get("/ha-tang/tram/V1/").status_code == 404  # a station is named with its operator


def test_codes_with_slashes_and_marks_link_to_their_pages(registry, login, actor, tmp_path):
    path = tmp_path / "cot-la.csv"
    path.write_text(POLES.splitlines()[0] + "\nT/12 #3?,viettel,16.53,107.47,19996,viettel,01/01/2020\n")
    import_poles(path=path, actor=actor, user=COMMAND_LINE)
    owner = login("plan_owner")
    page = owner.get("/ha-tang/cot/?q=T/12")
    assert page.status_code == 200
    assert 'href="/ha-tang/cot/T/12%20%233%3F/"' in page.content.decode()
    detail = owner.get("/ha-tang/cot/T/12%20%233%3F/")
    assert detail.status_code == 200 and detail.context["item"].code == "T/12 #3?"


def test_a_commune_sees_only_its_own_offices_links_and_the_public_nothing(registry, login, client):
    commune = login("commune", unit="19996")
    assert listed(commune, "truyen-so-lieu") == ["L1"]
    assert listed(commune, "tram") == [] and listed(commune, "cot") == []
    assert commune.get("/ha-tang/truyen-so-lieu/L2/").status_code == 404
    assert commune.get("/ha-tang/tram/viettel/V1/").status_code == 404
    client.logout()
    for url in ("/ha-tang/", "/ha-tang/tram/", "/ha-tang/tram/?format=csv", "/ha-tang/cot/C1/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/dang-nhap/"), url
