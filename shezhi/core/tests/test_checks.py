import pytest

from shezhi.checks import secret_key_is_set


def test_production_refuses_the_development_secret_key(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "dev-only-insecure-key-change-me"
    assert [e.id for e in secret_key_is_set(None)] == ["shezhi.E001"]
    settings.SECRET_KEY = "a-real-secret-from-the-environment"
    assert secret_key_is_set(None) == []


# --- relations between knobs ----------------------------------------------------------------


def _ids(check):
    return [e.id for e in check(None)]


def test_defaults_pass_every_knob_check(settings):
    from shezhi import checks

    settings.DEBUG = True  # the development defaults (the test runner turns debug off)
    for check in (
        checks.knobs_in_range,
        checks.checkin_token_outlives_rotation,
        checks.reminder_hours_positive,
        checks.schedule_is_valid,
        checks.case_review_days_valid,
        checks.public_base_url_usable,
    ):
        assert check(None) == [], check.__name__


def test_int_knobs_below_their_minimum_are_refused(settings):
    from shezhi.checks import knobs_in_range

    settings.SHEZHI_STAFF_IDLE_MINUTES = 0
    settings.SHEZHI_IMPORT_MAX_ROWS = "many"
    errors = knobs_in_range(None)
    assert [e.id for e in errors] == ["shezhi.E010", "shezhi.E010"]
    assert {e.msg.split(" ")[0] for e in errors} == {
        "SHEZHI_STAFF_IDLE_MINUTES",
        "SHEZHI_IMPORT_MAX_ROWS",
    }


def test_checkin_token_must_outlive_the_qr_rotation(settings):
    from shezhi.checks import checkin_token_outlives_rotation

    settings.SHEZHI_CHECKIN_QR_ROTATION_SECONDS = 20
    settings.SHEZHI_CHECKIN_TOKEN_SECONDS = 20
    assert _ids(checkin_token_outlives_rotation) == ["shezhi.E011"]
    settings.SHEZHI_CHECKIN_TOKEN_SECONDS = 10
    assert _ids(checkin_token_outlives_rotation) == ["shezhi.E011"]
    settings.SHEZHI_CHECKIN_TOKEN_SECONDS = 21
    assert _ids(checkin_token_outlives_rotation) == []


@pytest.mark.parametrize("hours", [[], [24, 0], [-2], ["24"]])
def test_reminder_hours_must_be_positive(settings, hours):
    from shezhi.checks import reminder_hours_positive

    settings.SHEZHI_ACTIVITY_REMINDER_HOURS = hours
    assert _ids(reminder_hours_positive) == ["shezhi.E012"]


def test_schedule_intervals_positive_and_care_jobs_within_the_crisis_deadline(settings):
    from shezhi.checks import schedule_is_valid

    settings.SHEZHI_SCHEDULE = {"needs.deadlines": 0, "care.jobs": 60}
    assert _ids(schedule_is_valid) == ["shezhi.E013"]
    settings.SHEZHI_CARE_CRISIS_ACK_MINUTES = 1
    settings.SHEZHI_SCHEDULE = {"care.jobs": 60}
    assert _ids(schedule_is_valid) == ["shezhi.E014"]
    settings.SHEZHI_SCHEDULE = {"care_jobs": 60}  # an older configuration names the command
    assert _ids(schedule_is_valid) == ["shezhi.E014"]
    settings.SHEZHI_SCHEDULE = {"care.jobs": 59}
    assert _ids(schedule_is_valid) == []


@pytest.mark.parametrize("days", [{"hgih": 14}, {"high": 0}, {"low": "90"}])
def test_case_review_days_need_known_levels_and_positive_days(settings, days):
    from shezhi.checks import case_review_days_valid

    settings.SHEZHI_CASE_REVIEW_DAYS = days
    assert _ids(case_review_days_valid) == ["shezhi.E015"]


def test_public_base_url_needs_a_scheme_and_is_not_loopback_in_production(settings):
    from shezhi.checks import public_base_url_usable

    settings.SHEZHI_PUBLIC_BASE_URL = "shezhi.example.cn"
    assert _ids(public_base_url_usable) == ["shezhi.E016"]
    settings.SHEZHI_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    settings.DEBUG = True
    assert _ids(public_base_url_usable) == []
    settings.DEBUG = False
    assert _ids(public_base_url_usable) == ["shezhi.W017"]
    settings.SHEZHI_PUBLIC_BASE_URL = "https://shezhi.example.cn"
    assert _ids(public_base_url_usable) == []
