"""The plan owner adds fields to a form on the web; reporters fill them like the file's own."""

from datetime import date

import pytest

from hatangso.collection.models import DataElement, DataValue, FormElement
from hatangso.collection.services import add_form_field, remove_form_field, set_value
from hatangso.collection.workbooks import form_rows
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
from hatangso.utilities.errors import Conflict, NotFound, UserError
from hatangso.utilities.periods import parse_period

PASSWORD = "a long passphrase 2024"


@pytest.fixture
def owner(seed_plan, actor, client):
    user = create_user(username="vhtt", password=PASSWORD, actor=actor)
    grant_membership(user=user, role="plan_owner", unit=seed_plan.area_unit, actor=actor)
    client.force_login(user)
    return user


def wifi_post(**changes):
    data = {
        "code": "diem_wifi_cong_cong",
        "name": "Số điểm wifi công cộng miễn phí",
        "value_type": "count",
        "aggregation": "last",
        "unit": "điểm",
    }
    return data | changes


def test_plan_owner_adds_a_field_on_the_web(owner, seed_plan, client, actor):
    form = seed_plan.forms.get(code="ubnd_xa_nam")
    response = client.post(f"/bieu/{form.pk}/", wifi_post())
    assert response.status_code == 302
    page = client.get(f"/bieu/{form.pk}/").content.decode()
    assert "Đã thêm trường diem_wifi_cong_cong vào biểu." in page
    field = FormElement.objects.get(element__code="diem_wifi_cong_cong")
    assert field.added_on_web and field.order == form.fields.count()
    assert field.element.reporter == "commune"
    logged = ChangeLogEntry.objects.filter(object_type="collection.dataelement", user=owner)
    assert logged.get().after["code"] == "diem_wifi_cong_cong"

    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    rows = form_rows(form, tu_ha, parse_period("2024"))
    assert rows[-1] == (tu_ha, field.element)  # last in the form's order
    set_value(element=field.element, unit=tu_ha, period="2024", value="12", actor=actor)

    # Loading the plan file again keeps the field the file does not know about.
    load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE)
    field.refresh_from_db()
    assert field.added_on_web and field.order == form.fields.count()
    assert form.fields.order_by("order").first().element.code == "population"


def test_a_field_code_already_in_use_is_refused(owner, seed_plan, client):
    form = seed_plan.forms.get(code="ubnd_xa_nam")
    page = client.post(f"/bieu/{form.pk}/", wifi_post(code="households")).content.decode()
    assert "Mã &#x27;households&#x27; đã được dùng cho một phần tử dữ liệu khác" in page
    page = client.post(f"/bieu/{form.pk}/", wifi_post(code="Diem-Wifi")).content.decode()
    assert "Mã chỉ gồm chữ thường không dấu, số và dấu gạch dưới." in page
    assert not DataElement.objects.filter(code__icontains="wifi").exists()


def test_per_village_fields_only_on_commune_forms(seed_plan, actor):
    form = seed_plan.forms.get(code="doanh_nghiep_quy")
    with pytest.raises(UserError) as error:
        add_form_field(form=form, user=COMMAND_LINE, actor=actor, per_village=True, **wifi_post())
    assert error.value.en == "Only a commune form can have per-village fields"
    assert not DataElement.objects.filter(code="diem_wifi_cong_cong").exists()


def test_a_field_with_values_cannot_be_removed(seed_plan, actor):
    form = seed_plan.forms.get(code="ubnd_xa_nam")
    field = add_form_field(form=form, user=COMMAND_LINE, actor=actor, **wifi_post())
    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    set_value(element=field.element, unit=tu_ha, period="2024", value="3", actor=actor)
    with pytest.raises(Conflict) as error:
        remove_form_field(field=field, user=COMMAND_LINE, actor=actor)
    assert error.value.en == "Values exist for diem_wifi_cong_cong; the field cannot be removed"
    DataValue.objects.all().delete()
    remove_form_field(field=field, user=COMMAND_LINE, actor=actor)
    assert not DataElement.objects.filter(code="diem_wifi_cong_cong").exists()


def test_file_fields_are_changed_in_the_file_not_on_the_web(seed_plan, actor):
    field = seed_plan.forms.get(code="ubnd_xa_nam").fields.get(element__code="population")
    with pytest.raises(UserError) as error:
        remove_form_field(field=field, user=COMMAND_LINE, actor=actor)
    assert error.value.en == "Field population comes from the plan file; change the file to remove it"


def test_only_the_plan_owner_manages_fields(seed_plan, actor, client):
    clerk = create_user(username="tuha", password=PASSWORD, actor=actor)
    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    grant_membership(user=clerk, role="commune", unit=tu_ha, actor=actor)
    client.force_login(clerk)
    form = seed_plan.forms.get(code="ubnd_xa_nam")
    assert client.get(f"/bieu/{form.pk}/").status_code == 404
    assert client.post(f"/bieu/{form.pk}/", wifi_post()).status_code == 404
    with pytest.raises(NotFound):
        add_form_field(form=form, user=clerk, actor=actor, **wifi_post())
    assert not DataElement.objects.filter(code="diem_wifi_cong_cong").exists()
