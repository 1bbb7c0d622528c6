from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "shezhi.people"
    verbose_name = "居民"
