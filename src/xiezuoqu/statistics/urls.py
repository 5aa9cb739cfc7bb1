from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path("drill/", views.drill, name="drill"),
    path("export.xlsx", views.export, name="export"),
    path("ledger/", views.ledger_index, name="ledger"),
    path("ledger/submit/", views.ledger_submit, name="ledger_submit"),
    path("ledger/<int:ledger_id>/", views.ledger_detail, name="ledger_detail"),
    path("ledger/<int:ledger_id>/export.xlsx", views.ledger_export, name="ledger_export"),
]
