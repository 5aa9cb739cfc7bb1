from django.urls import path

from . import views

app_name = "recusal"
urlpatterns = [
    path("", views.index, name="index"),
    path("clue/<int:clue_id>/", views.matter, name="matter"),
    path("clue/<int:clue_id>/act/", views.act, name="act"),
]
