from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:approval_id>/", views.detail, name="detail"),
    path("<int:approval_id>/decide/", views.decide, name="decide"),
    path("<int:approval_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:approval_id>/resubmit/", views.resubmit, name="resubmit"),
    path("chains/", views.chain_list, name="chains"),
    path("chains/defaults/", views.chain_defaults, name="chain_defaults"),
    path("chains/<str:matter_type>/", views.chain_edit, name="chain_edit"),
]
