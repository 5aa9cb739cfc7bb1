from django.urls import path

from . import views

app_name = "clearing"
urlpatterns = [
    path("", views.index, name="index"),
    path("clue/<int:clue_id>/", views.for_clue, name="clue"),
    path("clue/<int:clue_id>/act/", views.act, name="act"),
    path("<int:clearing_id>/", views.detail, name="detail"),
    path("<int:clearing_id>/done/", views.done, name="done"),
    path("<int:clearing_id>/document.docx", views.document, name="document"),
]
