from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "xiezuoqu.meetings"
