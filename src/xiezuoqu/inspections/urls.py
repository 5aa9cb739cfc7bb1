from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:campaign_id>/", views.campaign, name="campaign"),
    path("<int:campaign_id>/act/", views.campaign_act, name="campaign_act"),
    path("<int:campaign_id>/notice.docx", views.notice, name="notice"),
    path("<int:campaign_id>/findings.xlsx", views.findings_xlsx, name="findings_xlsx"),
    path("<int:campaign_id>/ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("team/<int:assignment_id>/", views.assignment, name="assignment"),
    path("team/<int:assignment_id>/act/", views.assignment_act, name="assignment_act"),
    path("finding/<int:finding_id>/", views.finding, name="finding"),
    path("finding/<int:finding_id>/act/", views.finding_act, name="finding_act"),
]
