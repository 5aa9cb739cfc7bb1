from django.urls import path

from . import views

app_name = "clues"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("open/", views.open_clue, name="open"),
    path("export.xlsx", views.ledger_export, name="export"),
    path("central/", views.central, name="central"),
    path("reconcile/", views.reconcile, name="reconcile"),
    path("<int:clue_id>/", views.detail, name="detail"),
    path("<int:clue_id>/act/", views.act, name="act"),
    path("graph/", views.graph, name="graph"),
    path("subjects/<int:subject_id>/", views.subject, name="subject"),
    path("subjects/<int:subject_id>/edit/", views.edit_subject, name="edit_subject"),
]
