from django.urls import path

from . import views

app_name = "teams"
urlpatterns = [
    path("workload/", views.workload_page, name="workload"),
    path("clue/<int:clue_id>/", views.clue_teams, name="clue"),
    path("clue/<int:clue_id>/act/", views.act, name="act"),
    path("zone/<int:zone_id>/batch/", views.batch, name="batch"),
]
