"""Forms of the plan-document pages: the upload, and the review of a draft (its header, indicators and
items), turned back into a plan file for the schema to check."""

import re
from decimal import Decimal
from typing import get_args

from django import forms
from django.utils.translation import gettext_lazy as _

from hatangso.catalog.catalogfile import Unit, read_catalog
from hatangso.plans.planfile import CODE, Comparison, ItemSpec
from hatangso.utilities.numbers import unit_label

DATE_FORMAT = "%d/%m/%Y"
KINDS = [(k, k) for k in ItemSpec.model_fields["kind"].annotation.__args__]
COMPARISONS = [(c, c) for c in get_args(Comparison)]
# The code-choice value of a target line the owner names as a new indicator (not in the catalog).
NEW = "__new__"
UNITS = [(u, unit_label(u) or _("số lượng / count")) for u in get_args(Unit)]
NEW_REPORTERS = [("commune", _("UBND xã, phường / commune")), ("enterprise", _("Doanh nghiệp / enterprise"))]


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


HEADER_FIELDS = ("code", "issuer", "title", "area_unit", "year", "end_year", "period")


class HeaderForm(forms.Form):
    code = forms.CharField(label=_("Số, ký hiệu"), max_length=60)
    issued_on = _date()
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    title = forms.CharField(label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 2}))
    area_unit = forms.CharField(label=_("Mã đơn vị địa bàn"), max_length=20)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Đến năm"), min_value=2000, max_value=2100, required=False)
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
            **{k: plan.get(k) for k in HEADER_FIELDS},
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
        if data["end_year"]:
            plan["end_year"] = data["end_year"]
        else:
            plan.pop("end_year", None)
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
    # A new indicator (code = NEW): its own code and name, and who reports its numerator and denominator.
    new_code = forms.CharField(
        label=_("Mã chỉ tiêu mới"), max_length=60, required=False, widget=forms.TextInput(attrs={"size": 16})
    )
    name = forms.CharField(label=_("Tên chỉ tiêu mới"), max_length=300, required=False)
    reporter = forms.ChoiceField(label=_("Đơn vị báo cáo"), choices=NEW_REPORTERS, required=False)
    section = forms.CharField(label=_("Mục"), max_length=20, required=False)
    text = forms.CharField(label=_("Chỉ tiêu"), widget=forms.Textarea(attrs={"rows": 2}))
    target = forms.DecimalField(label=_("Kế hoạch"), max_digits=12, decimal_places=4)
    comparison = forms.ChoiceField(label=_("So sánh"), choices=COMPARISONS)
    unit = forms.ChoiceField(label=_("ĐVT"), choices=UNITS)
    # Targets per year of a multi-year plan, written "2025: 60; 2026: 80".
    milestones = forms.CharField(
        label=_("Chỉ tiêu từng năm"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "2025: 60; 2026: 80", "size": 18}),
    )
    maintain = forms.BooleanField(label=_("Duy trì"), required=False)
    condition = forms.CharField(required=False, widget=forms.HiddenInput)
    score = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, catalog_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.catalog_codes = {code for code, _label in catalog_choices}
        unmatched = ("", _("— chưa khớp, không nạp / unmatched, not loaded —"))
        new = (NEW, _("— chỉ tiêu mới / new indicator —"))
        self.fields["code"].choices = [unmatched, new, *catalog_choices]

    def clean_milestones(self) -> dict[int, float | int]:
        text = self.cleaned_data.get("milestones") or ""
        found = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            match = re.fullmatch(r"(\d{4})\s*:\s*(\d+(?:[.,]\d+)?)", part)
            if not match:
                raise forms.ValidationError(
                    _("Ghi mỗi năm một chỉ tiêu, cách nhau bởi dấu chấm phẩy: 2025: 60; 2026: 80 / "
                      "one target per year, separated by semicolons: 2025: 60; 2026: 80")
                )  # fmt: skip
            found[int(match.group(1))] = as_number(Decimal(match.group(2).replace(",", ".")))
        return found

    def clean(self):
        data = super().clean()
        if data.get("code") != NEW:
            return data
        code = (data.get("new_code") or "").strip()
        if not code:
            self.add_error("new_code", _("Cần mã cho chỉ tiêu mới / a new indicator needs a code"))
        elif not re.match(CODE, code):
            self.add_error(
                "new_code",
                _(
                    "Mã chỉ gồm chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ / "
                    "a code is lowercase letters, digits and underscores, starting with a letter"
                ),
            )
        elif code in self.catalog_codes:
            self.add_error(
                "new_code",
                _("Mã %(code)s đã có trong danh mục / %(code)s is already a catalog code") % {"code": code},
            )
        if not (data.get("name") or "").strip():
            self.add_error("name", _("Cần tên cho chỉ tiêu mới / a new indicator needs a name"))
        if not data.get("reporter"):
            self.add_error("reporter", _("Chọn đơn vị báo cáo / choose who reports it"))
        return data

    @property
    def indicator_code(self) -> str:
        """The code this row loads as: the catalog's, the new indicator's, or "" (not loaded)."""
        data = self.cleaned_data
        return (data.get("new_code") or "").strip() if data.get("code") == NEW else data.get("code") or ""


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


class BaseIndicatorFormSet(forms.BaseFormSet):
    def clean(self):
        """A new indicator's code is not another indicator's of the draft."""
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            if form in self.deleted_forms or not form.indicator_code:
                continue
            code = form.indicator_code
            if code in seen and form.cleaned_data["code"] == NEW:
                form.add_error(
                    "new_code",
                    _("Mã %(code)s đã dùng cho chỉ tiêu khác của kế hoạch / %(code)s is used by another "
                      "indicator of the plan") % {"code": code},
                )  # fmt: skip
            seen.add(code)


IndicatorFormSet = forms.formset_factory(
    IndicatorForm, formset=BaseIndicatorFormSet, extra=0, can_delete=True
)
ItemFormSet = forms.formset_factory(ItemForm, extra=0, can_delete=True)


def new_elements(code: str) -> tuple[str, str]:
    """The data elements a new indicator is computed from: numerator / denominator (× 100 for %)."""
    return f"{code}_numerator", f"{code}_denominator"


def as_number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def milestones_text(targets: dict | None) -> str:
    """{2025: 60, 2026: 80} as the form writes it: "2025: 60; 2026: 80"."""
    years = sorted((int(year), value) for year, value in (targets or {}).items())
    return "; ".join(f"{year}: {as_number(Decimal(str(value)))}" for year, value in years)


class ReviewForms:
    """The review page's three forms over one draft; `build()` gives the corrected plan file."""

    def __init__(self, stored, catalog, data=None):
        self.stored, self.catalog = stored, catalog
        plan_file = stored.plan_file
        # Indicators come from the national catalog; agencies and data elements also from the seed's file.
        national = read_catalog()
        self.definitions = {i.code: i for i in national.indicators}
        self.catalog_agencies = {a.code: a for a in catalog.agencies}
        agencies = {a["code"]: a["name"] for a in plan_file["agencies"]}
        agencies.update({c: a.name for c, a in self.catalog_agencies.items() if c not in agencies})
        agency_choices = sorted(agencies.items(), key=lambda pair: pair[1])
        indicator_choices = [(i.code, f"{i.code} — {i.name}") for i in national.indicators]
        self.header = HeaderForm(data, prefix="plan", initial=HeaderForm.initial_from(plan_file["plan"]))
        self.element_codes = {d.code for d in (*catalog.data_elements, *national.data_elements)}
        reporters = {d["code"]: d["reporter"] for d in plan_file["data_elements"]}
        rows = []
        for i in plan_file["indicators"]:
            row = {k: i.get(k) for k in IndicatorForm.base_fields}
            row.update(
                score=stored.scores.get(i["code"]),
                name=i.get("text") or i["name"],
                reporter="commune",
                milestones=milestones_text(i.get("targets")),
            )
            if i["code"] not in self.definitions:  # named as a new indicator on this page
                reporter = reporters.get(new_elements(i["code"])[0], "commune")
                row.update(code=NEW, new_code=i["code"], name=i["name"], reporter=reporter)
            rows.append(row)
        rows += [
            {**u, "code": "", "name": u["text"], "reporter": "commune",
             "milestones": milestones_text(u.get("targets"))}
            for u in stored.unmatched
        ]
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
        indicators, unmatched, new_indicators = [], [], []
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
            if d["milestones"]:
                row["targets"] = d["milestones"]
            if not d["code"]:
                unmatched.append({**row, "score": d["score"] or 0.0})
                continue
            if d["code"] == NEW:
                code = form.indicator_code
                numerator, denominator = new_elements(code)
                indicators.append(
                    {
                        "code": code,
                        **row,
                        "name": d["name"].strip(),
                        "numerator": numerator,
                        "denominator": denominator,
                        "factor": 100.0 if d["unit"].strip() == "%" else 1.0,
                    }
                )
                new_indicators.append((code, d["name"].strip(), d["reporter"]))
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
        plan_file.update(self._data_of_new(plan_file, new_indicators))
        return plan_file, unmatched

    def _data_of_new(self, plan_file: dict, new_indicators: list[tuple[str, str, str]]) -> dict:
        """The draft's data elements and forms: the catalog's (as the parser wrote them), then for each
        new indicator its numerator and denominator as data elements, reported on the yearly form
        of the reporter the owner chose (the plan file's own way of declaring what is collected)."""
        elements = [d for d in plan_file["data_elements"] if d["code"] in self.element_codes]
        forms_ = [
            {**f, "elements": [c for c in f["elements"] if c in self.element_codes]}
            for f in plan_file["forms"]
        ]
        for code, name, reporter in new_indicators:
            numerator, denominator = new_elements(code)
            for element, part in ((numerator, "Tử số"), (denominator, "Mẫu số")):
                elements.append(
                    {
                        "code": element,
                        "name": f"{name}: {part.lower()}",
                        "value_type": "count",
                        "aggregation": "last",
                        "unit": "",
                        "reporter": reporter,
                    }
                )
            own = [f for f in forms_ if f["reporter"] == reporter]
            form = next((f for f in own if f["period_type"] == "yearly"), own[0] if own else None)
            if form is None:
                form = {
                    "code": f"{reporter}_chi_tieu_moi",
                    "name": f"Biểu báo cáo năm: chỉ tiêu mới ({reporter})",
                    "reporter": reporter,
                    "period_type": "yearly",
                    "elements": [],
                }
                forms_.append(form)
            form["elements"] = [*form["elements"], numerator, denominator]
        return {"data_elements": elements, "forms": forms_}

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
                        if group == "indicators" and form.cleaned_data.get("code") == NEW:
                            name = {"code": "new_code"}.get(name, name)
                        target = (form, name if name in form.fields else None)
            if target is None:
                self.problems.append(message)
            else:
                form, name = target
                form.add_error(name, message)
