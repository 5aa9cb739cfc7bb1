from django.urls import URLPattern, path

from . import views

app_name = "funds"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("budgets/new/", views.budget_create, name="budget_create"),
    path("policy/", views.policy, name="policy"),
    path("budgets/<int:budget_id>/", views.budget, name="budget"),
    path("budgets/<int:budget_id>/adjust/", views.adjust, name="adjust"),
    path("budgets/<int:budget_id>/funds-ledger.xlsx", views.funds_ledger, name="funds_ledger"),
    path("budgets/<int:budget_id>/vehicle-ledger.xlsx", views.vehicle_ledger, name="vehicle_ledger"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:claim_id>/", views.claim, name="claim"),
    path("claims/<int:claim_id>/act/", views.claim_act, name="claim_act"),
    path("receipts/<int:receipt_id>/", views.receipt, name="receipt"),
    path("vehicles/", views.vehicles, name="vehicles"),
    path("vehicles/add/", views.vehicle_add, name="vehicle_add"),
    path("vehicles/<int:vehicle_id>/", views.vehicle, name="vehicle"),
    path("vehicles/<int:vehicle_id>/status/", views.vehicle_status, name="vehicle_status"),
    path("bookings/new/", views.booking_new, name="booking_new"),
    path("bookings/<int:booking_id>/", views.booking, name="booking"),
    path("bookings/<int:booking_id>/act/", views.booking_act, name="booking_act"),
]
