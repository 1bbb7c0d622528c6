from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "shezhi.needs"
    verbose_name = "民情台账"

    def ready(self) -> None:
        from shezhi.needs import checks  # noqa: F401  (registers the start-up checks)
        from shezhi.needs.services.orders import accepted_orders_of
        from shezhi.volunteers import commitments

        commitments.register("needs", accepted_orders_of)  # no double booking of a volunteer
