"""Every task of sections III and IV has its lead and partners: the plan file gives them from the
section VI responsibilities each task cites, and the tasks created from the plan carry them."""

import pytest

from hatangso.core.scoping import COMMAND_LINE
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
from hatangso.utilities.errors import UserError
from hatangso.workplan.models import Task


def test_the_tasks_of_iii_and_iv_carry_their_lead_and_partners(seed_plan):
    tasks = Task.objects.filter(item__plan=seed_plan, item__kind__in=("task", "measure")).select_related(
        "item__lead"
    )
    assert tasks.count() == 32
    assert all(t.item.lead_id and t.item.coordinating.exists() for t in tasks)
    sharing = tasks.get(item__number="III.1.e")
    assert sharing.item.lead.name == "Phòng Văn hóa và Thông tin"
    assert set(sharing.item.coordinating.values_list("code", flat=True)) == {
        "phong_qldt",
        "ubnd_xa_phuong",
        "doanh_nghiep",
    }
    assert tasks.get(item__number="IV.1.a").item.lead.code == "trung_tam_vhttt"  # VI.5


def test_a_task_citing_an_item_that_is_no_responsibility_is_refused(
    reference_units, actor, tmp_path, table_counts
):
    text = SEED_PLAN_FILE.read_text(encoding="utf-8")
    path = tmp_path / SEED_PLAN_FILE.name
    cited = 'responsibilities: ["VI.1.a", "VI.7.b", "VI.8.c"]'
    assert cited in text
    path.write_text(text.replace(cited, 'responsibilities: ["III.1.b"]', 1), encoding="utf-8")
    before = table_counts()
    with pytest.raises(UserError) as error:
        load_plan(path=path, actor=actor, user=COMMAND_LINE)
    assert error.value.vi == (
        "Tệp kế hoạch huong-tra-2024.yaml có lỗi: items[III.1.a].responsibilities: mục trách nhiệm "
        "'III.1.b' chưa được khai báo"
    )
    assert table_counts() == before
