from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("overdue/", views.overdue, name="overdue"),
    path("<int:deadline_id>/", views.detail, name="detail"),
    path("<int:deadline_id>/extensions/", views.request_extension, name="request_extension"),
    path("slips/<int:slip_id>.docx", views.slip_download, name="slip_download"),
    path("slips/<int:slip_id>/answer/", views.slip_answer, name="slip_answer"),
]
