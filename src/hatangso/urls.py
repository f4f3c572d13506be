from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from hatangso.api.urls import api
from hatangso.collection import views as collection_views
from hatangso.registry import views as registry_views
from hatangso.web import views

admin.site.site_header = "hatangso — quản trị / administration"
admin.site.site_title = "hatangso"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("nhap-lieu/", collection_views.entry_list, name="entry-list"),
    path("nhap-lieu/<int:form_id>/<str:period>/", collection_views.entry_form, name="entry-form"),
    path(
        "nhap-lieu/<int:form_id>/<str:period>/excel/", collection_views.entry_template, name="entry-template"
    ),
    path("tep-nhap/<int:batch_id>/", collection_views.import_file, name="import-file"),
    path("bieu/<int:form_id>/", collection_views.form_fields, name="form-fields"),
    path("ha-tang/vi-tri/", registry_views.site_review, name="site-review"),
    path("duyet/", collection_views.review_list, name="review-list"),
    path("duyet/<int:submission_id>/", collection_views.review_submission, name="review-submission"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
