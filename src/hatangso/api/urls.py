"""REST API root (django-ninja). Each app adds its router here."""

from ninja import NinjaAPI

from hatangso.analytics.api import router as analytics_router
from hatangso.collection.api import router as values_router
from hatangso.collection.api import submissions_router
from hatangso.geography.api import router as units_router
from hatangso.plans.api import router as plans_router
from hatangso.registry.api import router as registry_router
from hatangso.reports.api import router as reports_router
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected
from hatangso.workplan.api import router as workplan_router

api = NinjaAPI(title="hatangso API", version="1", urls_namespace="api-v1")
plans_router.add_router("", analytics_router)
plans_router.add_router("", reports_router)
api.add_router("/plans/", plans_router)
api.add_router("/units/", units_router)
api.add_router("/registry/", registry_router)
api.add_router("/", workplan_router)
api.add_router("/values/", values_router)
api.add_router("/submissions/", submissions_router)


@api.exception_handler(ImportRejected)
def import_rejected(request, exc: ImportRejected):
    """A file with bad rows: nothing was written; every row error goes back to the caller."""
    body = {"detail": exc.vi, "detail_en": exc.en, "errors": [e.as_dict() for e in exc.errors]}
    return api.create_response(request, body, status=400)


@api.exception_handler(UserError)
def user_error(request, exc: UserError):
    return api.create_response(request, {"detail": exc.vi, "detail_en": exc.en}, status=exc.status)
