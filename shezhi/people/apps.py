from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shezhi.people"
    verbose_name = "居民"

    def ready(self) -> None:
        from shezhi.notifications.channels import register_mobile_lookup
        from shezhi.people.models import resident_mobile

        register_mobile_lookup(resident_mobile)  # a resident's account has no phone of its own
