"""The typed environment readers (pure) and the generated settings reference."""

from pathlib import Path

import pytest

from shezhi.core import knobs
from shezhi.core.knobs import (
    KnobError,
    env_bool,
    env_int,
    env_int_list,
    env_json,
    env_list,
    env_str,
    markdown_table,
    reference_document,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "settings.md"


@pytest.fixture
def registry(monkeypatch):
    """A scratch registry so that these tests do not add rows to the real reference."""
    scratch: dict[str, knobs.Knob] = {}
    monkeypatch.setattr(knobs, "REGISTRY", scratch)
    return scratch


def test_unset_variables_take_the_default(registry):
    env: dict[str, str] = {}
    assert env_str("X_STR", "a", "d", environ=env) == "a"
    assert env_int("X_INT", 3, "d", environ=env) == 3
    assert env_bool("X_BOOL", True, "d", environ=env) is True
    assert env_list("X_LIST", ["a", "b"], "d", environ=env) == ["a", "b"]
    assert env_int_list("X_INTS", [24, 2], "d", environ=env) == [24, 2]
    assert env_json("X_JSON", {"k": 1}, "d", environ=env) == {"k": 1}
    assert set(registry) == {"X_STR", "X_INT", "X_BOOL", "X_LIST", "X_INTS", "X_JSON"}


def test_values_are_parsed_by_type(registry):
    env = {
        "X_INT": " 42 ",
        "X_BOOL": "Yes",
        "X_OFF": "",
        "X_LIST": "inbox, sms,,",
        "X_INTS": "48,6",
        "X_JSON": '{"high": 3}',
        "X_BLANK_INT": "  ",
    }
    assert env_int("X_INT", 0, "d", environ=env) == 42
    assert env_bool("X_BOOL", False, "d", environ=env) is True
    # A set-but-empty bool is off (as before: SHEZHI_DEBUG= means no debugging).
    assert env_bool("X_OFF", True, "d", environ=env) is False
    assert env_list("X_LIST", [], "d", environ=env) == ["inbox", "sms"]
    assert env_int_list("X_INTS", [], "d", environ=env) == [48, 6]
    assert env_json("X_JSON", {}, "d", environ=env) == {"high": 3}
    assert env_int("X_BLANK_INT", 7, "d", environ=env) == 7


@pytest.mark.parametrize(
    ("reader", "default", "raw"),
    [
        (env_int, 1, "ten"),
        (env_int_list, [1], "24,two"),
        (env_json, {}, "{not json"),
        (env_json, {}, "[1, 2]"),
    ],
)
def test_unreadable_values_name_the_variable(registry, reader, default, raw):
    with pytest.raises(KnobError, match="X_BAD"):
        reader("X_BAD", default, "d", environ={"X_BAD": raw})


def test_table_lists_each_knob_with_its_declared_default_not_its_value(registry):
    env_int("X_B", 5, "Second | with a pipe.", minimum=1, environ={"X_B": "9"})
    env_bool("X_A", False, "First.", setting="OTHER", shown="not DEBUG", environ={})
    table = markdown_table()
    lines = table.splitlines()
    assert lines[2] == "| `X_A` | `OTHER` | bool | `not DEBUG` | First. |"
    assert lines[3] == "| `X_B` | same | int | `5` | Second \\| with a pipe. |"


def test_checked_in_settings_reference_matches_the_declarations():
    """docs/settings.md is regenerated with `shezhi settings_reference > docs/settings.md`."""
    assert DOC.read_text(encoding="utf-8") == reference_document()


def test_settings_reference_command_prints_the_document(capsys):
    from django.core.management import call_command

    call_command("settings_reference")
    assert capsys.readouterr().out == reference_document()


def test_every_declared_knob_has_a_description():
    assert knobs.REGISTRY and all(k.description.strip() for k in knobs.REGISTRY.values())


def test_every_knob_the_code_reads_is_declared_once_in_settings():
    """No getattr(settings, "SHEZHI_…", default): each knob has one default, in settings.py."""
    import re

    root = Path(__file__).resolve().parents[2]
    declared = {k.setting for k in knobs.REGISTRY.values()}
    used: set[str] = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"getattr\(\s*settings,\s*[\"']SHEZHI_", text), path
        used |= set(re.findall(r"settings\.(SHEZHI_\w+)", text))
    assert used and used <= declared, sorted(used - declared)
