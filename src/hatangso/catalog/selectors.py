"""Reads of the catalog. The catalog is reference data shipped with the product: every signed-in
user may read all of it."""

from django.db.models import QuerySet

from hatangso.catalog.models import CatalogIndicator
from hatangso.collection.models import DataElement


def catalog_list() -> QuerySet[CatalogIndicator]:
    return CatalogIndicator.objects.order_by("order")


def catalog_elements(entries) -> QuerySet[DataElement]:
    """The data elements the entries' formulas use."""
    return DataElement.objects.filter(code__in={code for e in entries for code in e.elements}).order_by(
        "code"
    )


def entry_json(entry: CatalogIndicator) -> dict:
    return {
        "code": entry.code,
        "name": entry.name,
        "name_en": entry.name_en,
        "definition": entry.definition,
        "definition_en": entry.definition_en,
        "unit": entry.unit,
        "direction": entry.direction,
        "comparison": entry.comparison,
        "numerator": entry.numerator,
        "denominator": entry.denominator,
        "factor": float(entry.factor),
        "aggregation": entry.aggregation,
        "sources": entry.sources,
        "elements": entry.elements,
        "collected_by": entry.collected_by,
    }


def element_json(element: DataElement) -> dict:
    return {
        "code": element.code,
        "name": element.name,
        "value_type": element.value_type,
        "aggregation": element.aggregation,
        "across_sources": element.across_sources,
        "unit": element.unit,
        "reporter": element.reporter,
        "provider": element.provider,
    }
