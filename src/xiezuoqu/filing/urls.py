from django.urls import path

from . import views

app_name = "filing"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:proposal_id>/", views.detail, name="detail"),
    path("<int:proposal_id>/act/", views.act, name="act"),
    path("<int:proposal_id>/report.docx", views.document, name="document"),
]
