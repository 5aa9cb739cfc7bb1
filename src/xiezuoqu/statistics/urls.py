from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path("drill/", views.drill, name="drill"),
    path("export.xlsx", views.export, name="export"),
]
