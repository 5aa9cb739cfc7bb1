from django.urls import path

from . import views

app_name = "rulebook"
urlpatterns = [
    path("", views.index, name="index"),
    path("local/", views.set_local, name="set_local"),
]
