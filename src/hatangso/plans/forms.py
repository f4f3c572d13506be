"""Forms of the plan-document pages: the upload, and the review of a draft (its header, indicators and
items), turned back into a plan file for the schema to check."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from hatangso.plans.planfile import IndicatorSpec, ItemSpec

DATE_FORMAT = "%d/%m/%Y"
KINDS = [(k, k) for k in ItemSpec.model_fields["kind"].annotation.__args__]
COMPARISONS = [(c, c) for c in IndicatorSpec.model_fields["comparison"].annotation.__args__]


class UploadForm(forms.Form):
    document = forms.FileField(
        allow_empty_file=True,  # the reader says why an empty file is refused, like the command line
        label=_("Văn bản kế hoạch (TXT, DOCX, PDF) / plan document"),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx,.pdf"}),
    )


def _date(required: bool = True) -> forms.DateField:
    return forms.DateField(
        required=required,
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(format=DATE_FORMAT, attrs={"placeholder": "dd/mm/yyyy", "size": 10}),
        error_messages={"invalid": _("Ngày dạng dd/mm/yyyy / a date as dd/mm/yyyy")},
    )


class HeaderForm(forms.Form):
    code = forms.CharField(label=_("Số, ký hiệu"), max_length=60)
    issued_on = _date()
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    title = forms.CharField(label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 2}))
    area_unit = forms.CharField(label=_("Mã đơn vị địa bàn"), max_length=20)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    period = forms.CharField(label=_("Kỳ"), max_length=20)
    report_deadline = _date(required=False)
    parent_code = forms.CharField(label=_("Kế hoạch cấp trên: số"), max_length=60, required=False)
    parent_issued_on = _date(required=False)
    parent_issuer = forms.CharField(label=_("Kế hoạch cấp trên: cơ quan"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].label = _("Ngày ban hành")
        self.fields["report_deadline"].label = _("Hạn báo cáo")
        self.fields["parent_issued_on"].label = _("Kế hoạch cấp trên: ngày")

    @staticmethod
    def initial_from(plan: dict) -> dict:
        parent = plan.get("parent") or {}
        return {
            **{k: plan.get(k) for k in ("code", "issuer", "title", "area_unit", "year", "period")},
            "issued_on": _day(plan.get("issued_on")),
            "report_deadline": _day(plan.get("report_deadline")),
            "parent_code": parent.get("code", ""),
            "parent_issued_on": _day(parent.get("issued_on")),
            "parent_issuer": parent.get("issuer", ""),
        }

    def apply(self, plan: dict) -> dict:
        """The plan file's `plan` header with this form's (cleaned) values."""
        data = self.cleaned_data
        plan = {**plan, **{k: data[k] for k in ("code", "issuer", "title", "area_unit", "year", "period")}}
        plan["issued_on"] = data["issued_on"].isoformat()
        plan["report_deadline"] = data["report_deadline"].isoformat() if data["report_deadline"] else None
        if data["parent_code"]:
            parent = dict(plan.get("parent") or {})
            parent.update(
                code=data["parent_code"],
                issued_on=data["parent_issued_on"].isoformat() if data["parent_issued_on"] else None,
                issuer=data["parent_issuer"],
            )
            plan["parent"] = parent
        else:
            plan.pop("parent", None)
        return plan


def _day(value):
    from datetime import date

    if not value or value == "?":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


class IndicatorForm(forms.Form):
    code = forms.ChoiceField(label=_("Mã trong danh mục"), required=False)
    section = forms.CharField(label=_("Mục"), max_length=20, required=False)
    text = forms.CharField(label=_("Chỉ tiêu"), widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.DecimalField(label=_("Kế hoạch"), max_digits=12, decimal_places=4)
    comparison = forms.ChoiceField(label=_("So sánh"), choices=COMPARISONS)
    unit = forms.CharField(label=_("ĐVT"), max_length=20)
    maintain = forms.BooleanField(label=_("Duy trì"), required=False)
    condition = forms.CharField(required=False, widget=forms.HiddenInput)
    score = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, catalog_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        unmatched = ("", _("— chưa khớp, không nạp / unmatched, not loaded —"))
        self.fields["code"].choices = [unmatched, *catalog_choices]


class ItemForm(forms.Form):
    number = forms.CharField(label=_("Mục"), max_length=30)
    kind = forms.ChoiceField(label=_("Loại"), choices=KINDS)
    text = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}))
    lead = forms.ChoiceField(label=_("Chủ trì"), required=False)
    coordinating = forms.MultipleChoiceField(
        label=_("Phối hợp"), required=False, widget=forms.SelectMultiple(attrs={"size": 3})
    )
    indicators = forms.MultipleChoiceField(
        label=_("Chỉ tiêu liên quan"), required=False, widget=forms.SelectMultiple(attrs={"size": 3})
    )
    condition = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, agency_choices=(), indicator_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "—"), *agency_choices]
        self.fields["coordinating"].choices = list(agency_choices)
        self.fields["indicators"].choices = list(indicator_choices)


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=0, can_delete=True)
ItemFormSet = forms.formset_factory(ItemForm, extra=0, can_delete=True)


def as_number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


class ReviewForms:
    """The review page's three forms over one draft; `build()` gives the corrected plan file."""

    def __init__(self, stored, catalog, data=None):
        self.stored, self.catalog = stored, catalog
        plan_file = stored.plan_file
        self.definitions = {i.code: i for i in catalog.indicators}
        self.catalog_agencies = {a.code: a for a in catalog.agencies}
        agencies = {a["code"]: a["name"] for a in plan_file["agencies"]}
        agencies.update({c: a.name for c, a in self.catalog_agencies.items() if c not in agencies})
        agency_choices = sorted(agencies.items(), key=lambda pair: pair[1])
        indicator_choices = [(i.code, f"{i.code} — {i.name}") for i in catalog.indicators]
        self.header = HeaderForm(data, prefix="plan", initial=HeaderForm.initial_from(plan_file["plan"]))
        rows = [
            {**{k: i.get(k) for k in IndicatorForm.base_fields}, "score": stored.scores.get(i["code"])}
            for i in plan_file["indicators"]
        ] + [{**u, "code": ""} for u in stored.unmatched]
        self.indicators = IndicatorFormSet(
            data, prefix="ind", initial=rows, form_kwargs={"catalog_choices": indicator_choices}
        )
        items = [
            {**{k: i.get(k) for k in ItemForm.base_fields}, "coordinating": i.get("coordinating", []),
             "indicators": i.get("indicators", [])}
            for i in plan_file["items"]
        ]  # fmt: skip
        self.items = ItemFormSet(
            data,
            prefix="item",
            initial=items,
            form_kwargs={"agency_choices": agency_choices, "indicator_choices": indicator_choices},
        )
        self.problems: list[str] = []

    def is_valid(self) -> bool:
        return all([self.header.is_valid(), self.indicators.is_valid(), self.items.is_valid()])

    def build(self) -> tuple[dict, list[dict]]:
        """(the corrected plan file, the target lines left unmatched)."""
        plan_file = dict(self.stored.plan_file)
        plan_file["plan"] = self.header.apply(plan_file["plan"])
        indicators, unmatched = [], []
        for form in self.indicators.forms:
            if form in self.indicators.deleted_forms:
                continue
            d = form.cleaned_data
            row = {
                "section": d["section"],
                "text": d["text"],
                "target": as_number(d["target"]),
                "unit": d["unit"],
                "comparison": d["comparison"],
                "maintain": d["maintain"],
                "condition": d["condition"] or None,
            }
            if not d["code"]:
                unmatched.append({**row, "score": d["score"] or 0.0})
                continue
            definition = self.definitions[d["code"]]
            indicators.append(
                {
                    "code": d["code"],
                    **row,
                    "name": definition.name,
                    "numerator": definition.numerator,
                    "denominator": definition.denominator,
                    "factor": float(definition.factor),
                }
            )
        items = []
        for form in self.items.forms:
            if form in self.items.deleted_forms:
                continue
            d = form.cleaned_data
            items.append(
                {
                    "number": d["number"],
                    "kind": d["kind"],
                    "text": d["text"],
                    "lead": d["lead"] or None,
                    "coordinating": d["coordinating"],
                    "condition": d["condition"] or None,
                    "indicators": d["indicators"],
                }
            )
        agencies = list(plan_file["agencies"])
        used = {i["lead"] for i in items if i["lead"]} | {c for i in items for c in i["coordinating"]}
        for code in sorted(used - {a["code"] for a in agencies}):
            known = self.catalog_agencies[code]
            agencies.append({"code": code, "name": known.name, "kind": known.kind})
        plan_file.update(indicators=indicators, items=items, agencies=agencies)
        return plan_file, unmatched

    def add_problems(self, problems, plan_file: dict) -> None:
        """Each schema problem on the field it is about; the others above the form."""
        header_fields = {"parent.code": "parent_code", "parent.issued_on": "parent_issued_on"}
        rows = {
            "indicators": {i["code"]: n for n, i in enumerate(plan_file["indicators"])},
            "items": {i["number"]: n for n, i in enumerate(plan_file["items"])},
        }
        coded = [f for f in self.indicators.forms if f.cleaned_data.get("code") and f not in
                 self.indicators.deleted_forms]  # fmt: skip
        numbered = [f for f in self.items.forms if f not in self.items.deleted_forms]
        for problem in problems:
            message = f"{problem.vi} / {problem.en}"
            where = problem.where
            target = None
            if where.startswith("plan."):
                name = header_fields.get(where[5:], where[5:])
                if name in self.header.fields:
                    target = (self.header, name)
            for group, forms_ in (("indicators", coded), ("items", numbered)):
                if where.startswith(f"{group}["):
                    key, _, rest = where[len(group) + 1 :].partition("]")
                    index = rows[group].get(key)
                    if index is not None and index < len(forms_):
                        name = rest.lstrip(".").split(".")[0].split("[")[0]
                        form = forms_[index]
                        target = (form, name if name in form.fields else None)
            if target is None:
                self.problems.append(message)
            else:
                form, name = target
                form.add_error(name, message)
