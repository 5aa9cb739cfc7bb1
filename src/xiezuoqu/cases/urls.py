from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/act/", views.act, name="act"),
    path("decisions/<int:decision_id>/notice.docx", views.decision_notice, name="decision_notice"),
]
