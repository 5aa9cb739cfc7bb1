from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("convene/", views.convene, name="convene"),
    path("schedules/", views.schedules, name="schedules"),
    path("<int:meeting_id>/", views.detail, name="detail"),
    path("<int:meeting_id>/act/", views.act, name="act"),
    path("<int:meeting_id>/minutes.docx", views.minutes, name="minutes"),
    path("follow-ups/<int:follow_up_id>/", views.follow_up, name="follow_up"),
]
