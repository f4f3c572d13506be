"""Writes to the catalog: the shipped catalog file loaded into the database."""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from hatangso.catalog.catalogfile import CATALOG_FILE, read_catalog
from hatangso.catalog.models import CatalogIndicator
from hatangso.collection.models import DataElement
from hatangso.core.changelog import Actor, record_change, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.plans.services import save_changed


@dataclass(frozen=True)
class CatalogLoadSummary:
    indicators: int
    data_elements: int


@transaction.atomic
def load_catalog(*, actor: Actor, path: Path = CATALOG_FILE) -> CatalogLoadSummary:
    """Create or update the catalog's data elements and indicators from its file, with a change-log
    row for each change; loading it again changes nothing. The whole file is checked before the
    first write. Entries gone from the file are deleted (the plans' indicators keep their own
    copy of the formula); data elements never are, values hang on them."""
    catalog = read_catalog(path)
    elements = {
        e.code: e for e in DataElement.objects.filter(code__in=[e.code for e in catalog.data_elements])
    }
    for element in catalog.data_elements:
        save_changed(
            actor,
            DataElement,
            {"code": element.code},
            element.model_dump(exclude={"code"}),
            existing=elements.get(element.code),
        )
    entries = {e.code: e for e in CatalogIndicator.objects.all()}
    for order, entry in enumerate(catalog.indicators, start=1):
        values = entry.model_dump(exclude={"code", "comparison"})
        values.update(
            comparison=entry.target_comparison,
            elements=entry.element_codes(),
            collected_by=catalog.collected_by(entry),
            order=order,
        )
        save_changed(actor, CatalogIndicator, {"code": entry.code}, values, existing=entries.get(entry.code))
    for code in set(entries) - set(catalog.by_code):
        record_change(actor, ChangeLogEntry.Action.DELETE, entries[code], before=snapshot(entries[code]))
        entries[code].delete()
    return CatalogLoadSummary(indicators=len(catalog.indicators), data_elements=len(catalog.data_elements))
