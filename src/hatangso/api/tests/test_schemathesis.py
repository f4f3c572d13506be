"""The whole API against its own OpenAPI schema (issue 16, item 11): schemathesis generates requests
from the schema for every operation and sends them in-process (WSGI) as the public, a commune and
the plan owner. No answer may be a 5xx, and every answer must be documented — its status code,
content type, headers and body. Bounded: a few examples per operation, no shrinking database."""

from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hatangso.collection import workflow
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.imports import import_stations
from hatangso.registry.models import Site
from hatangso.workplan.models import Task

EXAMPLES = 4  # per operation and caller: ~370 requests, well under a minute
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]
# Reports render DOCX/PDF (seconds each): their errors are covered, not the rendering.
SLOW = {("GET", "/api/v1/plans/{slug}/report.{fmt}")}


def with_known_ids(case, known: dict):
    for name in case.path_parameters or {}:
        if name in known:
            case.path_parameters[name] = known[name]
    return case


@pytest.fixture
def in_process_wsgi():
    """Requests go through Django's WSGI handler inside the test's transaction, as the test client's
    do: the handler must not close the connection at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(seed_plan, actor, tmp_path):
    """A value, a draft report, a site and a task, so that generated requests also reach real
    objects (half of them get these ids in their path), not only 404s."""
    june = date(2024, 6, 1)
    tu_ha = resolve_unit("19996", start=june)
    value = set_value(
        element=DataElement.objects.get(code="population"), unit=tu_ha, period="2024", value="10000",
        actor=actor,
    )  # fmt: skip
    submission = workflow.get_submission(
        form=seed_plan.forms.get(code="ubnd_xa_nam"), unit=tu_ha, operator=None, period="2024",
        user=COMMAND_LINE, actor=actor,
    )  # fmt: skip
    stations = tmp_path / "tram.csv"
    stations.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong\n"
        "V1,viettel,4G,16.53,107.47,19996,01/01/2020\nN1,vnpt,4G,16.53001,107.47001,19996,01/01/2020\n"
    )
    import_stations(path=stations, actor=actor, user=COMMAND_LINE)
    headers = {"anonymous": {}}
    for role, unit in (("commune", "19996"), ("plan_owner", "480")):
        user = create_user(username=role, password="a long passphrase 2024", actor=actor)
        grant_membership(user=user, role=role, actor=actor, unit=resolve_unit(unit, start=june))
        token = create_api_token(user=user, name="schemathesis", actor=actor)[1]
        headers[role] = {"Authorization": f"Bearer {token}"}
    known = {
        "slug": seed_plan.slug,
        "value_id": value.pk,
        "submission_id": submission.pk,
        "task_id": Task.objects.filter(item__plan=seed_plan).order_by("pk").first().pk,
        "code": Site.objects.get().code,
        "kind": "stations",
    }
    return headers, known


def test_the_api_keeps_to_its_schema(in_process_wsgi, world):
    callers, known = world
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process_wsgi)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures = []
    for caller, headers in callers.items():
        for operation in operations:
            if (operation.method.upper(), operation.path) in SLOW:
                continue
            generated = operation.as_strategy()

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: the failure as found
                suppress_health_check=list(HealthCheck),
            )
            @given(case=st.one_of(generated, generated.map(lambda case: with_known_ids(case, known))))
            def run(case):
                case.call_and_validate(headers=headers, checks=CHECKS)  # noqa: B023 (called at once)

            try:
                run()
            except Exception as exc:  # every operation is tried; all failures are reported together
                failures.append(f"{caller} {operation.method.upper()} {operation.path}: {exc}")
    assert failures == [], "\n\n".join(failures)
