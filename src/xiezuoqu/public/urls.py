from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("new/", views.new_report, name="new"),
    path("status/", views.status, name="status"),
    path("status/answer/<int:question_id>/", views.answer, name="answer"),
    path("status/material/", views.material, name="material"),
    path("status/objection/", views.objection, name="objection"),
    path("status/leave/", views.leave, name="leave"),
    path("staff/attachments/<int:attachment_id>/", views.staff_attachment, name="staff_attachment"),
]
