from django.apps import AppConfig


class ProofsConfig(AppConfig):
    name = "shezhi.proofs"
    verbose_name = "志愿服务证明"

    def ready(self) -> None:
        from shezhi.proofs import checks  # noqa: F401  (registers the font check)
