from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "xiezuoqu.training"
    label = "training"
    verbose_name = "以干代训记录"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xiezuoqu.org.models import Commission

        from . import selectors  # noqa: F401  (the policies register on import)
        from .services import seed_new_commission

        post_save.connect(seed_new_commission, sender=Commission, dispatch_uid="training_seed_commission")
