from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "xiezuoqu.verification"
