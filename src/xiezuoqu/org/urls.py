from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.chart, name="chart"),
    path("zones/<int:zone_id>/", views.zone_detail, name="zone_detail"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
    path("mentoring/", views.mentoring_list, name="mentoring_list"),
    path("supervisors/", views.supervisor_list, name="supervisor_list"),
    path("my-village/", views.my_village, name="my_village"),
]
