"""The catalog page: every indicator a plan may pick, with its definition, unit, direction, formula,
aggregation, source documents and who supplies its inputs."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from hatangso.catalog import selectors


@login_required
def catalog_page(request):
    entries = list(selectors.catalog_list())
    elements = {e.code: e for e in selectors.catalog_elements(entries)}
    rows = [(entry, [elements[c] for c in entry.elements if c in elements]) for entry in entries]
    return render(request, "catalog/catalog_list.html", {"rows": rows})
