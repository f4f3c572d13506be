from django.contrib import admin
from django.urls import path

from hatangso.api.urls import api
from hatangso.web import views

admin.site.site_header = "hatangso — quản trị / administration"
admin.site.site_title = "hatangso"

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
