"""A warning at start-up when the CJK font that proofs embed is not installed."""

from django.core.checks import Warning, register

from shezhi.proofs.pdf import FontUnavailable, find_font


@register()
def cjk_font_installed(app_configs, **kwargs):
    try:
        find_font()
    except FontUnavailable as exc:
        return [Warning(str(exc), hint="apt-get install fonts-noto-cjk", id="shezhi.W101")]
    return []
