"""Registry pages (issue 8.6): the index, the lists with their FilterSets (the same sets filter the
API), CSV export, detail pages with history — each through the user's scope."""

import csv
import io
from datetime import date

import pytest

from hatangso.analytics.services import evaluate_scorecard
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
        importer(path=path, actor=actor, synthetic=True)
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
    add_tenancy(item=c2, operator=Operator.objects.get(code="fpt"), since=date(2025, 1, 1), actor=actor)
    assert owner.get("/ha-tang/cot/?in_service_on=2024-12-31").context["counts"]["shared"] == 3
    later = owner.get("/ha-tang/cot/?in_service_on=2025-06-30").context["counts"]
    assert later == sharing(registry, "pole_sharing", "2025Q2") == {"total": 4, "shared": 4}
