from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "shezhi.activities"
    verbose_name = "志愿活动"

    def ready(self) -> None:
        from shezhi.activities.notices import volunteer_mobile
        from shezhi.notifications.channels import register_mobile_lookup

        register_mobile_lookup(volunteer_mobile)  # SMS reminders reach the registered mobile

        from shezhi.activities.signups import signups_of
        from shezhi.volunteers import commitments

        commitments.register("activities", signups_of)  # no double booking of a volunteer

        from shezhi.activities.after import rating_comment
        from shezhi.core.signals import register_free_text_reader

        register_free_text_reader("activities.rating", rating_comment)  # crisis triage reads it
