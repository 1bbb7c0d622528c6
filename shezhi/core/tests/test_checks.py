from shezhi.checks import secret_key_is_set


def test_production_refuses_the_development_secret_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "dev-only-insecure-key-change-me"
    assert [e.id for e in secret_key_is_set(None)] == ["shezhi.E001"]
    settings.SECRET_KEY = "a-real-secret-from-the-environment"
    assert secret_key_is_set(None) == []
