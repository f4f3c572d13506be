from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hatangso.api.urls import api
from hatangso.collection import views as collection_views
from hatangso.plans import views as plan_views
from hatangso.registry import views as registry_views
from hatangso.reports import views as report_views
from hatangso.web import maps, public, views
from hatangso.workplan import views as workplan_views

admin.site.site_header = "hatangso — quản trị / administration"
admin.site.site_title = "hatangso"

# The pages of one plan live under its slug (DESIGN.md §8, "Many plans").
plan_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("noi-dung/", plan_views.plan_detail, name="plan-detail"),
    path("chi-tieu/<slug:code>/", views.indicator, name="indicator"),
    path("ban-do/", maps.map_page, name="map"),
    path("ban-do/xa-phuong.geojson", maps.communes_geojson, name="map-communes"),
    path("ban-do/vung-phu.geojson", maps.coverage_geojson, name="map-coverage"),
    path("nhiem-vu/", workplan_views.task_board, name="task-board"),
    path("nhiem-vu/<int:task_id>/", workplan_views.task_detail, name="task-detail"),
    path("tuyen-duong/", workplan_views.road_list, name="road-list"),
    path("tuyen-duong/moi/", workplan_views.road_edit, name="road-new"),
    path("tuyen-duong/<int:road_id>/", workplan_views.road_edit, name="road-edit"),
    path("duyet/", collection_views.review_list, name="review-list"),
    path("duyet/excel/", collection_views.review_export, name="review-export"),
    path("bao-cao/", report_views.report_page, name="report-page"),
    path("bao-cao/tai/<str:fmt>/", report_views.report_download, name="report-download"),
    path("cong-bo/", public.publish_page, name="publish"),
]

# Addresses from before plans had their own (bookmarks): to the user's plan when there is one.
legacy_patterns = [
    path(old, views.legacy, {"name": name}, name=f"legacy-{name}")
    for old, name in [
        ("chi-tieu/<slug:code>/", "indicator"),
        ("ban-do/", "map"),
        ("ban-do/xa-phuong.geojson", "map-communes"),
        ("ban-do/vung-phu.geojson", "map-coverage"),
        ("nhiem-vu/", "task-board"),
        ("tuyen-duong/", "road-list"),
        ("tuyen-duong/moi/", "road-new"),
        ("tuyen-duong/<int:road_id>/", "road-edit"),
        ("duyet/", "review-list"),
        ("bao-cao/", "report-page"),
        ("bao-cao/tai/<str:fmt>/", "report-download"),
        ("cong-bo/", "publish"),
    ]
]

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("nhap-lieu/", collection_views.entry_list, name="entry-list"),
    path("nhap-lieu/<int:form_id>/<str:period>/", collection_views.entry_form, name="entry-form"),
    path(
        "nhap-lieu/<int:form_id>/<str:period>/excel/", collection_views.entry_template, name="entry-template"
    ),
    path("tep-nhap/", collection_views.import_list, name="import-list"),
    path("tep-nhap/<int:batch_id>/", collection_views.import_file, name="import-file"),
    path("bieu/<int:form_id>/", collection_views.form_fields, name="form-fields"),
    path("ha-tang/vi-tri/", registry_views.site_review, name="site-review"),
    path("ha-tang/", registry_views.registry_index, name="registry-stations"),
    path("ha-tang/tram/<slug:operator>/<path:code>/", registry_views.station_detail, name="registry-station"),
    path("ha-tang/<slug:kind>/", registry_views.registry_list, name="registry-list"),
    path("ha-tang/<slug:kind>/<path:code>/", registry_views.registry_detail, name="registry-item"),
    path("nhiem-vu/<int:task_id>/", workplan_views.legacy_task, name="legacy-task-detail"),
    path("minh-chung/<int:evidence_id>/", workplan_views.evidence_file, name="evidence-file"),
    # Not tied to a plan: the shapes of the areas followed (public geography, for the incident
    # form), the user's own stations, sites and incident reports.
    path("ban-do/ranh-gioi.geojson", views.boundaries, name="boundaries"),
    path("ban-do/tram.geojson", maps.stations_geojson, name="map-stations"),
    path("ban-do/vi-tri.geojson", maps.sites_geojson, name="map-sites"),
    path("ban-do/phan-anh.geojson", maps.incidents_geojson, name="map-incidents"),
    *legacy_patterns,
    path("cong-khai/", public.public_list, name="public"),
    path("cong-khai/xa-phuong.geojson", public.public_list, {"to": "public-communes"}, name="legacy-geojson"),
    path("cong-khai/<slug:slug>/", public.public_page, name="public-plan"),
    path("cong-khai/<slug:slug>/xa-phuong.geojson", public.public_communes_geojson, name="public-communes"),
    path("phan-anh/", workplan_views.incident_form, name="incident-form"),
    path("phan-anh/theo-doi/<str:token>/", workplan_views.incident_status, name="incident-status"),
    path("phan-anh/xu-ly/", workplan_views.incident_triage, name="incident-triage"),
    path("phan-anh/anh/<int:photo_id>/", workplan_views.incident_photo, name="incident-photo"),
    path("duyet/<int:submission_id>/", collection_views.review_submission, name="review-submission"),
    path("ke-hoach/doc/", plan_views.plan_upload, name="plan-upload"),
    path("ke-hoach/doc/<str:token>/", plan_views.plan_draft, name="plan-draft"),
    path("ke-hoach/doc/<str:token>/yaml/", plan_views.plan_draft_yaml, name="plan-draft-yaml"),
    path("ke-hoach/<slug:slug>/", include(plan_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switch
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
urlpatterns.append(path("danh-muc-chi-tieu/", include("hatangso.catalog.urls")))  # the indicator catalog
