"""Django forms of the collection pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hatangso.collection.models import DataElement


class CustomFieldForm(forms.Form):
    """A field the plan owner adds to a report form."""

    code = forms.SlugField(
        label=_("Mã (chữ thường không dấu, số, gạch dưới)"),
        max_length=80,
        help_text=_("Ví dụ: diem_wifi_cong_cong. Dùng trong biểu Excel, API và công thức chỉ tiêu."),
    )
    name = forms.CharField(label=_("Tên trường"), max_length=300)
    value_type = forms.ChoiceField(label=_("Kiểu giá trị"), choices=DataElement.ValueType.choices)
    aggregation = forms.ChoiceField(
        label=_("Tổng hợp theo thời gian"),
        choices=DataElement.Aggregation.choices,
        initial=DataElement.Aggregation.LAST,
    )
    unit = forms.CharField(label=_("Đơn vị tính"), max_length=40, required=False)
    per_village = forms.BooleanField(label=_("Báo cáo theo từng thôn/TDP"), required=False)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code != code.lower() or "-" in code:
            raise forms.ValidationError(_("Mã chỉ gồm chữ thường không dấu, số và dấu gạch dưới."))
        return code
