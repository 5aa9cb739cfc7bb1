from django.urls import path

from . import views

app_name = "verification"
urlpatterns = [
    path("", views.verification_list, name="list"),
    path("measures/", views.measure_ledger, name="measures"),
    path("measures/export.xlsx", views.measure_ledger_export, name="measures_export"),
    path("measures/<int:measure_id>/review/", views.review_measure, name="review_measure"),
    path("clue/<int:clue_id>/plan/", views.plan_form, name="plan"),
    path("<int:verification_id>/", views.detail, name="detail"),
    path("<int:verification_id>/act/", views.act, name="act"),
    path("<int:verification_id>/measures/new/", views.measure_form, name="measure_new"),
    path("<int:verification_id>/evidence/new/", views.evidence_form, name="evidence_new"),
    path("<int:verification_id>/report/", views.report_form, name="report"),
    path("clue/<int:clue_id>/evidence/", views.evidence_inventory, name="inventory"),
    path("clue/<int:clue_id>/evidence/inventory.xlsx", views.inventory_xlsx, name="inventory_xlsx"),
    path("clue/<int:clue_id>/evidence/inventory.docx", views.inventory_docx, name="inventory_docx"),
    path("evidence/<int:evidence_id>/", views.evidence_detail, name="evidence"),
    path("evidence/<int:evidence_id>/download/", views.evidence_download, name="evidence_download"),
]
