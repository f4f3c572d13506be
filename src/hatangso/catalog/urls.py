from django.urls import path

from hatangso.catalog import views

urlpatterns = [path("", views.catalog_page, name="catalog")]
