from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("", views.index, name="index"),
    path("case/<int:case_id>/", views.for_case, name="case"),
    path("case/<int:case_id>/build/", views.build_case, name="build_case"),
    path("clue/<int:clue_id>/", views.for_clue, name="clue"),
    path("clue/<int:clue_id>/build/", views.build_clue, name="build_clue"),
    path("package/<int:package_id>/download/", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
]
