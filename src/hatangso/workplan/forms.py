"""Django forms of the work-plan and incident pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hatangso.workplan.models import Incident, Road, Task


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class UpdateForm(forms.Form):
    text = forms.CharField(label=_("Nội dung đã thực hiện"), widget=forms.Textarea(attrs={"rows": 4}))
    done_on = forms.DateField(
        label=_("Ngày"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    progress = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100, required=False)
    status = forms.ChoiceField(
        label=_("Đề nghị trạng thái"), choices=[("", "—"), *Task.Status.choices], required=False
    )
    links = forms.CharField(
        label=_("Liên kết dữ liệu, văn bản (mỗi dòng một liên kết)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    files = MultipleFileField(
        label=_("Minh chứng (PDF, DOCX, XLSX, ODT, ảnh; tối đa 5 tệp, mỗi tệp 10 MB)"), required=False
    )


class IncidentForm(forms.Form):
    category = forms.ChoiceField(label=_("Loại phản ánh"), choices=Incident.Category.choices)
    description = forms.CharField(
        label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 4}), min_length=10, max_length=5000
    )
    address = forms.CharField(
        label=_("Địa chỉ (số nhà, đường, thôn/tổ, xã/phường)"), max_length=300, required=False
    )
    lat = forms.FloatField(label=_("Vĩ độ"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Kinh độ"), required=False, min_value=-180, max_value=180)
    contact = forms.CharField(
        label=_("Điện thoại hoặc e-mail (không bắt buộc)"), max_length=200, required=False
    )
    photos = MultipleFileField(label=_("Ảnh (JPEG/PNG, tối đa 3 ảnh, mỗi ảnh 5 MB)"), required=False)
    # A field people never see: bots fill it, and such a report is dropped.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )


class IncidentHandleForm(forms.Form):
    """What the enterprise or commune a report is assigned to tells of its handling."""

    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[(s.value, s.label) for s in (Incident.Status.IN_PROGRESS, Incident.Status.RESOLVED)],
        error_messages={
            "required": _("Chọn «Đang xử lý» hoặc «Đã xử lý xong»"),
            "invalid_choice": _("Chọn «Đang xử lý» hoặc «Đã xử lý xong»"),
        },
    )
    note = forms.CharField(
        label=_("Ghi chú (bắt buộc khi đã xử lý xong)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    photos = MultipleFileField(label=_("Ảnh (JPEG/PNG, tối đa 3 ảnh, mỗi ảnh 5 MB)"), required=False)


class RoadForm(forms.Form):
    name = forms.CharField(label=_("Tên đường, tuyến"), max_length=200)
    section = forms.CharField(label=_("Đoạn (từ … đến …)"), max_length=300, required=False)
    unit = forms.ChoiceField(label=_("Xã, phường"), required=False)
    work = forms.ChoiceField(label=_("Hạng mục"), choices=Road.Work.choices)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=Road.Status.choices)
    tasks = forms.MultipleChoiceField(
        label=_("Nhiệm vụ liên quan"), required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, units=(), tasks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—"), *((u.code, f"{u.name} ({u.code})") for u in units)]
        self.fields["tasks"].choices = [(str(t.pk), f"{t.item.number} {t.item.text[:90]}") for t in tasks]
