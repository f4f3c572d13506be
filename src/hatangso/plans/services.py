"""Writes to plans. Loading a plan file creates or updates the plan and everything in it."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import models, transaction
from django.utils.text import slugify

from hatangso.catalog.catalogfile import CatalogFile, read_catalog
from hatangso.catalog.models import CatalogIndicator
from hatangso.collection.models import DataElement, FormElement, ReportForm
from hatangso.core.changelog import Actor, record_change, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import may_manage_plan
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.expressions import expression_names
from hatangso.plans.models import (
    Agency,
    Condition,
    Indicator,
    IndicatorTarget,
    Plan,
    PlanItem,
    PlanSection,
    ValidationRule,
)
from hatangso.plans.planfile import FormSpec, PlanFile, read_plan_file, validate_plan_data
from hatangso.plans.signals import plan_loaded
from hatangso.registry.models import Operator
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.periods import parse_period

SEED_PLAN_FILE = Path(__file__).resolve().parent / "data" / "huong-tra-2024.yaml"
EXPRESSION_FUNCTIONS = {"count_units"}
UNIT_LEVELS = set(AdministrativeUnit.Level.values)


@dataclass(frozen=True)
class PlanLoadSummary:
    plan: Plan
    created: bool
    indicators: int
    items: int
    data_elements: int


def plan_slug(code: str) -> str:
    return slugify(code.replace("/", "-"))


def _as_stored(model, values: dict) -> dict:
    """Values as the database gives them back (17 → Decimal("17.0000")), so comparing with a
    stored row finds real changes only."""
    stored = {}
    for name, value in values.items():
        field = model._meta.get_field(name)
        if isinstance(field, models.DecimalField) and value is not None:
            value = Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
        stored[name] = value
    return stored


_LOOK_UP = object()


def save_changed(actor: Actor, model, lookup: dict, values: dict, existing=_LOOK_UP):
    """update_or_create with a change-log row when something actually changed. Callers saving many
    rows pass the row they already fetched (`existing`, None when there is none)."""
    values = _as_stored(model, values)
    instance = model.objects.filter(**lookup).first() if existing is _LOOK_UP else existing
    if instance is None:
        instance = model.objects.create(**lookup, **values)
        record_change(actor, ChangeLogEntry.Action.CREATE, instance)
        return instance
    before = snapshot(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    if snapshot(instance) != before:
        instance.save()
        record_change(actor, ChangeLogEntry.Action.UPDATE, instance, before=before)
    return instance


def _delete_missing(actor: Actor, queryset, keep: set, field: str) -> None:
    for instance in queryset.exclude(**{f"{field}__in": keep}):
        before = snapshot(instance)
        record_change(actor, ChangeLogEntry.Action.DELETE, instance, before=before)
        instance.delete()


def _check_expressions(spec: PlanFile) -> None:
    known = (
        {d.code for d in spec.data_elements}
        | {d.code for d in read_catalog().data_elements}
        | set(DataElement.objects.values_list("code", flat=True))
    )
    sides = [
        ("Chỉ tiêu", "Indicator", i.code, side, i.definition()[side])
        for i in spec.indicators
        for side in ("numerator", "denominator")
    ] + [
        ("Quy tắc", "Rule", r.code, side, getattr(r, side))
        for r in spec.validation_rules
        for side in ("left", "right")
    ]
    for label_vi, label_en, code, side, expression in sides:
        if unknown := ", ".join(sorted(expression_names(expression) - known)):
            raise UserError(
                f"{label_vi} {code}: {side} dùng phần tử dữ liệu chưa khai báo {unknown}",
                f"{label_en} {code}: {side} uses undeclared data element(s) {unknown}",
            )


def plan_area(*, area_unit: str, period: str) -> AdministrativeUnit:
    """The plan's area: the unit with this code in force during the plan's period."""
    span = parse_period(period)
    return resolve_unit(area_unit, start=span.start, end=span.end)


def _assigned_units(spec: PlanFile, area: AdministrativeUnit) -> dict[str, AdministrativeUnit]:
    """The units the plan hands targets down to, by code: each must be in force during the plan's
    period and lie below the plan's area."""
    span = parse_period(spec.plan.period)
    units: dict[str, AdministrativeUnit] = {}
    for indicator in spec.indicators:
        where = f"indicators[{indicator.code}].assigned"
        for code in indicator.assigned:
            if code not in units:
                try:
                    units[code] = resolve_unit(code, start=span.start, end=span.end)
                except NotFound as exc:
                    raise UserError(f"{where}: {exc.vi}", f"{where}: {exc.en}") from exc
            unit = units[code]
            if unit.pk == area.pk or not unit.path.startswith(area.path):
                raise UserError(
                    f"{where}: {unit.name} ({code}) không phải địa bàn cấp dưới thuộc {area.name}",
                    f"{where}: {unit.name} ({code}) is not an area below {area.name}",
                )
    return units


def _save_targets(actor: Actor, indicator: Indicator, rows, units: dict[str, AdministrativeUnit]) -> None:
    """The indicator's year and area targets as the file gives them; those the file no longer
    gives are deleted."""
    existing = {(t.year, t.unit_id): t for t in indicator.targets.all()}
    kept = set()
    for year, code, value in rows:
        unit = units[code] if code else None
        key = (year, unit.pk if unit else None)
        lookup = {"indicator": indicator, "year": year, "unit": unit}
        save_changed(actor, IndicatorTarget, lookup, {"value": value}, existing=existing.get(key))
        kept.add(key)
    for key, target in existing.items():
        if key not in kept:
            record_change(actor, ChangeLogEntry.Action.DELETE, target, before=snapshot(target))
            target.delete()


def load_plan(*, path: Path, actor: Actor, user) -> PlanLoadSummary:
    """Load a plan file (YAML) from disk: the command line's `plan load`; the user must be the plan
    owner of the plan's area (the command line is)."""
    return _load(read_plan_file(path), source_name=Path(path).name, actor=actor, user=user)


def load_plan_data(*, data: dict, source_name: str, actor: Actor, user) -> PlanLoadSummary:
    """Load a plan file's content (a reviewed draft from the web): the same checks and writes as
    `load_plan`, and the user must be the plan owner of the plan's area."""
    return _load(validate_plan_data(data, source_name), source_name=source_name, actor=actor, user=user)


@transaction.atomic
def _load(spec: PlanFile, *, source_name: str, actor: Actor, user) -> PlanLoadSummary:
    header = spec.plan
    _check_expressions(spec)
    area = plan_area(area_unit=header.area_unit, period=header.period)
    assigned_units = _assigned_units(spec, area)
    existing_plan = Plan.objects.filter(code=header.code).first()
    if not may_manage_plan(user, Plan(area_unit=area)) or (
        existing_plan and not may_manage_plan(user, existing_plan)
    ):
        raise NotFound(
            f"Địa bàn {area.name} không thuộc phạm vi của bạn", f"The area {area.name} is outside your scope"
        )

    # Data elements belong to the catalog: a plan file's own declaration of one of them is not a
    # second definition (the seed's file declares the elements it was written with).
    from hatangso.catalog.services import load_catalog  # it saves with this module's save_changed

    load_catalog(actor=actor)
    catalog = read_catalog()
    catalog_elements = {d.code for d in catalog.data_elements}
    for element in spec.data_elements:
        if element.code not in catalog_elements:
            save_changed(actor, DataElement, {"code": element.code}, element.model_dump(exclude={"code"}))
    for agency in spec.agencies:
        save_changed(actor, Agency, {"code": agency.code}, {"name": agency.name, "kind": agency.kind})

    parent_plan = Plan.objects.filter(code=header.parent.code).first() if header.parent else None
    created = existing_plan is None
    plan = save_changed(
        actor,
        Plan,
        {"code": header.code},
        {
            "slug": plan_slug(header.code),
            "title": header.title,
            "issued_on": header.issued_on,
            "issuer": header.issuer,
            "issuer_full": header.issuer_full,
            "place": header.place,
            "area_unit": area,
            "year": header.year,
            "end_year": header.end_year,
            "illustrative": header.illustrative,
            "period": header.period,
            "report_deadline": header.report_deadline,
            "report_to": header.report_to,
            "parent": parent_plan,
            "parent_reference": header.parent.model_dump(mode="json") if header.parent else {},
            "legal_basis": header.legal_basis,
            "preamble": header.preamble,
            "closing": header.closing,
            "recipients": header.recipients,
            "signature": header.signature.model_dump(),
            "report_settings": spec.report.model_dump(),
            "source_file": source_name,
        },
    )

    # Whether a condition has come true is the plan owner's record, not the file's: a reload keeps it.
    existing = set(plan.conditions.values_list("code", flat=True))
    conditions = {
        c.code: save_changed(
            actor,
            Condition,
            {"plan": plan, "code": c.code},
            c.model_dump(exclude={"code", "met"} if c.code in existing else {"code"}),
        )
        for c in spec.conditions
    }
    for order, section in enumerate(spec.sections, start=1):
        save_changed(
            actor,
            PlanSection,
            {"plan": plan, "number": section.number},
            {"title": section.title, "order": order},
        )
    _delete_missing(actor, plan.sections.all(), {s.number for s in spec.sections}, "number")

    indicators = {}
    entries = {e.code: e for e in CatalogIndicator.objects.filter(code__in=[i.code for i in spec.indicators])}
    for order, ind in enumerate(spec.indicators, start=1):
        values = ind.definition()
        values.update(condition=conditions.get(ind.condition), order=order, catalog=entries.get(ind.code))
        indicators[ind.code] = save_changed(actor, Indicator, {"plan": plan, "code": ind.code}, values)
        _save_targets(actor, indicators[ind.code], ind.target_rows(), assigned_units)
    _delete_missing(actor, plan.indicators.all(), set(indicators), "code")

    agencies = {a.code: a for a in Agency.objects.filter(code__in={a.code for a in spec.agencies})}
    for order, item in enumerate(spec.items, start=1):
        saved = save_changed(
            actor,
            PlanItem,
            {"plan": plan, "number": item.number},
            {
                "kind": item.kind,
                "text": item.text,
                "lead": agencies.get(item.lead),
                "condition": conditions.get(item.condition),
                "order": order,
            },
        )
        saved.coordinating.set([agencies[c] for c in item.coordinating])
        saved.indicators.set([indicators[c] for c in item.indicators])
    _delete_missing(actor, plan.items.all(), {i.number for i in spec.items}, "number")
    # A goal (II) names tasks further down the file (III, IV): linked once every item is saved.
    items = {i.number: i for i in plan.items.all()}
    for item in spec.items:
        if item.kind == PlanItem.Kind.GOAL:
            items[item.number].delivered_by.set([items[n] for n in item.tasks])
    _save_forms(actor, plan, spec, catalog)
    for order, rule in enumerate(spec.validation_rules, start=1):
        save_changed(
            actor,
            ValidationRule,
            {"plan": plan, "code": rule.code},
            {**rule.model_dump(exclude={"code"}), "order": order},
        )
    _delete_missing(actor, plan.validation_rules.all(), {r.code for r in spec.validation_rules}, "code")
    _delete_missing(actor, plan.conditions.all(), set(conditions), "code")
    plan_loaded.send(sender=Plan, plan=plan, actor=actor)

    return PlanLoadSummary(
        plan=plan,
        created=created,
        indicators=len(spec.indicators),
        items=len(spec.items),
        data_elements=len(spec.data_elements),
    )


def _default_forms(spec: PlanFile, catalog: CatalogFile) -> list[FormSpec]:
    """Without `forms` in the file: one yearly form per kind of reporter, with the elements the file
    declares and those of the catalog its indicators use."""
    kinds = {"village": "commune", "commune": "commune", "enterprise": "enterprise", "district": "district"}
    names = {
        "commune": "Biểu báo cáo năm của UBND xã, phường",
        "enterprise": "Biểu báo cáo năm của doanh nghiệp viễn thông",
        "district": "Biểu báo cáo năm cấp huyện",
    }
    used = set().union(
        *(
            expression_names(d["numerator"]) | expression_names(d["denominator"])
            for d in (i.definition() for i in spec.indicators)
        )
    )
    declared = {d.code for d in spec.data_elements}
    grouped: dict[str, list[str]] = {}
    for element in [*spec.data_elements, *(e for e in catalog.data_elements if e.code in used - declared)]:
        if element.provider == "values":
            grouped.setdefault(kinds[element.reporter], []).append(element.code)
    return [
        FormSpec(
            code=f"{reporter}_yearly",
            name=names[reporter],
            reporter=reporter,
            period_type="yearly",
            elements=codes,
        )
        for reporter, codes in grouped.items()
    ]


def _save_forms(actor: Actor, plan: Plan, spec: PlanFile, catalog: CatalogFile) -> None:
    forms = spec.forms or _default_forms(spec, catalog)
    elements = {e.code: e for e in DataElement.objects.all()}
    operators = {o.code: o for o in Operator.objects.all()}
    for order, form in enumerate(forms, start=1):
        unknown = [c for c in form.elements if c not in elements] + [
            c for c in form.operators if c not in operators
        ]
        if unknown:
            raise UserError(
                f"Biểu {form.code}: mã chưa khai báo {', '.join(unknown)}",
                f"Form {form.code}: undeclared code(s) {', '.join(unknown)}",
            )
        saved = save_changed(
            actor,
            ReportForm,
            {"plan": plan, "code": form.code},
            {
                "name": form.name,
                "reporter": form.reporter,
                "period_type": form.period_type,
                "due_days": form.due_days,
                "order": order,
            },
        )
        _save_form_fields(saved, [elements[c] for c in form.elements])
        saved.operators.set([operators[c] for c in form.operators])
    _delete_missing(actor, plan.forms.all(), {f.code for f in forms}, "code")


def _save_form_fields(form: ReportForm, elements: list[DataElement]) -> None:
    """The file's fields in the file's order, then the fields added on the web, which the file
    does not know about and must not lose."""
    current = {f.element_id: f for f in form.fields.all()}
    listed = [e.pk for e in elements]
    form.fields.exclude(element__in=listed).exclude(added_on_web=True).delete()
    kept = sorted(
        (f for f in current.values() if f.added_on_web and f.element_id not in listed), key=lambda f: f.order
    )
    wanted = [(pk, False) for pk in listed] + [(f.element_id, True) for f in kept]
    for order, (element_id, on_web) in enumerate(wanted, start=1):
        field = current.get(element_id) or FormElement(form=form, element_id=element_id)
        if field.pk is None or (field.order, field.added_on_web) != (order, on_web):
            field.order, field.added_on_web = order, on_web
            field.save()


def set_condition(*, condition: Condition, met: bool, actor: Actor, user, note: str = "") -> Condition:
    """The plan owner records that a condition (e.g. "khi cấp tỉnh triển khai") has come true, or not."""
    if not may_manage_plan(user, condition.plan):
        raise NotFound(f"Không có điều kiện {condition.code}", f"No condition {condition.code}")
    before = snapshot(condition)
    condition.met = met
    if note:
        condition.note = note
    condition.save(update_fields=["met", "note"])
    record_change(actor, ChangeLogEntry.Action.UPDATE, condition, before=before, reason=note)
    return condition
