from django.urls import path

from . import views

app_name = "precedents"
urlpatterns = [
    path("cases/<int:case_id>/", views.case_guidance, name="case"),
    path("cases/<int:case_id>/facts/", views.record_facts, name="facts"),
]
