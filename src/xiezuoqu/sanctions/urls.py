from django.urls import path

from . import views

app_name = "sanctions"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.ledger_export, name="export"),
    path("<int:term_id>/", views.detail, name="detail"),
    path("<int:term_id>/follow-up/", views.follow_up, name="follow_up"),
    path("changes/<int:change_id>/", views.register_change, name="register_change"),
]
