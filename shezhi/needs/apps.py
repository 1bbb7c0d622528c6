from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "shezhi.needs"
    verbose_name = "民情台账"

    def ready(self) -> None:
        from shezhi.needs import checks  # noqa: F401  (registers the start-up checks)
        from shezhi.needs.services.orders import accepted_orders_of
        from shezhi.volunteers import commitments

        commitments.register("needs", accepted_orders_of)  # no double booking of a volunteer

        from shezhi.core.signals import register_free_text_reader
        from shezhi.needs.selectors import need_text, rating_text

        register_free_text_reader("needs.need", need_text)  # crisis triage reads them by id
        register_free_text_reader("needs.rating", rating_text)
