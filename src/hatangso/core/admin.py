"""The admin is a read-only browser: every write goes through services, which audit it."""

from django.contrib import admin

from hatangso.analytics.models import IndicatorResult
from hatangso.collection.models import DataElement, DataValue, ImportBatch
from hatangso.core.models import ApiToken, ChangeLogEntry, Membership
from hatangso.geography.models import AdministrativeUnit, UnitSuccession
from hatangso.plans.models import Agency, Condition, Indicator, Plan, PlanItem, PlanSection
from hatangso.registry.models import Operator
from hatangso.workplan.models import Incident, Road, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to", "synthetic")
    list_filter = ("level", "synthetic")
    search_fields = ("code", "name")


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(ReadOnlyAdmin):
    list_display = ("predecessor", "successor", "effective", "source")


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "area_unit", "period", "report_deadline")


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "comparison", "target", "maintain", "condition", "plan")
    list_filter = ("plan",)


@admin.register(PlanItem)
class PlanItemAdmin(ReadOnlyAdmin):
    list_display = ("number", "kind", "lead", "condition", "plan")
    list_filter = ("kind", "plan")
    search_fields = ("text",)


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ("data_element", "unit", "period", "operator", "value", "synthetic", "updated_by")
    list_filter = ("data_element", "period", "operator", "synthetic")
    search_fields = ("unit__code", "unit__name")


@admin.register(IndicatorResult)
class IndicatorResultAdmin(ReadOnlyAdmin):
    list_display = ("indicator", "unit", "period", "value", "status", "computed_at")
    list_filter = ("status", "period")
    exclude = ("input_values",)


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("time", "actor", "origin", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "unit", "operator", "agency")
    list_filter = ("role",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked")
    exclude = ("key_hash",)


for model in (Agency, Condition, PlanSection, DataElement, ImportBatch, Operator):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("item", "due_date", "status", "progress")
    list_filter = ("status",)


@admin.register(Road)
class RoadAdmin(ReadOnlyAdmin):
    list_display = ("name", "section", "unit", "work", "status", "synthetic")


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "category",
        "status",
        "assigned_operator",
        "assigned_unit",
        "created_at",
        "synthetic",
    )
    list_filter = ("status", "category")
    exclude = ("contact",)  # the reporter's contact stays with those who triage, on their page
