from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.ledger_export, name="ledger_export"),
    path("register/", views.register, name="register"),
    path("received/", views.received, name="received"),
    path("received/<int:report_id>/", views.register_received, name="register_received"),
    path("<int:report_id>/", views.detail, name="detail"),
    path("<int:report_id>/route/", views.route, name="route"),
    path("<int:report_id>/message/", views.message, name="message"),
    path("<int:report_id>/identity/", views.identity, name="identity"),
    path("<int:report_id>/identity/request/", views.identity_request, name="identity_request"),
    path("<int:report_id>/duplicate/", views.duplicate, name="duplicate"),
    path("<int:report_id>/forward-package.zip", views.forward_package, name="forward_package"),
    path("village/", views.village, name="village"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("quarterly/", views.quarterly, name="quarterly"),
    path("quarterly/export.xlsx", views.quarterly_export, name="quarterly_export"),
    path("formats/", views.formats, name="formats"),
]
