"""REST API root (django-ninja). Each app adds its router here."""

from django.conf import settings
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError, ValidationError

from hatangso.analytics.api import router as analytics_router
from hatangso.api.guards import refuse_nul
from hatangso.collection.api import router as values_router
from hatangso.collection.api import submissions_router
from hatangso.geography.api import router as units_router
from hatangso.plans.api import router as plans_router
from hatangso.registry.api import router as registry_router
from hatangso.reports.api import router as reports_router
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected
from hatangso.workplan.api import router as workplan_router


class LocalSwagger(Swagger):
    """The docs page that asks no other host: swagger-ui's files from ninja's static folder (in
    settings.STATICFILES_DIRS). ninja is not an installed app (see settings), and then it renders
    the page that loads them from its CDN, which the CSP blocks: that page is its local one here."""

    template_cdn = str(settings.NINJA_DIR / "templates" / Swagger.template)


# The online spec validator is off too: it is another host.
api = NinjaAPI(
    title="hatangso API",
    version="1",
    urls_namespace="api-v1",
    docs=LocalSwagger(settings={"validatorUrl": None}),
)
plans_router.add_router("", analytics_router)
plans_router.add_router("", reports_router)
api.add_router("/plans/", plans_router)
api.add_router("/units/", units_router)
api.add_router("/registry/", registry_router)
api.add_router("/", workplan_router)
api.add_router("/values/", values_router)
api.add_router("/submissions/", submissions_router)
api.add_decorator(refuse_nul, mode="view")


@api.exception_handler(ImportRejected)
def import_rejected(request, exc: ImportRejected):
    """A file with bad rows: nothing was written; every row error goes back to the caller."""
    body = {"detail": exc.vi, "detail_en": exc.en, "errors": [e.as_dict() for e in exc.errors]}
    return api.create_response(request, body, status=400)


@api.exception_handler(UserError)
def user_error(request, exc: UserError):
    return api.create_response(request, {"detail": exc.vi, "detail_en": exc.en}, status=exc.status)


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc: ValidationError):
    """A malformed parameter or body (422): one sentence naming the fields, and each problem."""
    fields = ", ".join(
        dict.fromkeys(".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in exc.errors)
    )
    body = {
        "detail": f"Tham số không hợp lệ: {fields}",
        "detail_en": f"Invalid parameters: {fields}",
        "errors": [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in exc.errors],
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    return api.create_response(request, {"detail": "Không tìm thấy", "detail_en": "Not found"}, status=404)


_HTTP_ERRORS = {
    401: ("Cần đăng nhập hoặc mã truy cập (token) hợp lệ", "A login or a valid API token is required"),
    403: (
        "Yêu cầu bị từ chối (thiếu mã CSRF của phiên đăng nhập)",
        "Forbidden (the session's CSRF token is missing)",
    ),
}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    vi, en = _HTTP_ERRORS.get(exc.status_code, (str(exc), str(exc)))
    return api.create_response(request, {"detail": vi, "detail_en": en}, status=exc.status_code)
