from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "shezhi.activities"
    verbose_name = "志愿活动"
