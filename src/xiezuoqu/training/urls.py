from django.urls import URLPattern, path

from . import views

app_name = "training"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("settings/", views.settings, name="settings"),
    path("cadres/<int:staff_id>/", views.record, name="record"),
    path("zones/<int:zone_id>/", views.zone, name="zone"),
    path("seats/<int:seat_id>/assess/", views.assess, name="assess"),
]
