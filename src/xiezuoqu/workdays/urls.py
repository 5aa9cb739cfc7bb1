from django.urls import path

from . import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("calculate/", views.calculate, name="calculate"),
    path("years/", views.enter_year, name="enter_year"),
    path("days/", views.set_day, name="set_day"),
    path("days/<str:day>/delete/", views.delete_day, name="delete_day"),
]
