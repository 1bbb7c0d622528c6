"""Typed readers of deployment knobs from the environment, each recorded with its description.

settings.py declares every SHEZHI_* knob once through these helpers; the registry they fill is
what `shezhi settings_reference` prints (docs/settings.md) and what the range checks walk.
Pure: no Django import, so the settings module can use it.
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class KnobError(ValueError):
    """An environment variable holds a value its knob cannot read."""


@dataclass(frozen=True)
class Knob:
    env: str  # the environment variable
    setting: str  # the Django setting it fills (read as settings.<setting>)
    kind: str  # str, int, bool, list, int list, float, JSON
    default: str  # the default as written in docs/settings.md
    description: str
    minimum: int | None = None  # int knobs: the smallest sensible value (checked at start-up)


REGISTRY: dict[str, Knob] = {}


def _declare(
    env: str,
    kind: str,
    default: Any,
    description: str,
    *,
    setting: str | None,
    shown: str | None,
    minimum: int | None = None,
) -> None:
    if shown is None:
        shown = json.dumps(default, ensure_ascii=False) if kind == "JSON" else str(default)
        if kind in {"list", "int list"}:
            shown = ",".join(str(v) for v in default)
    REGISTRY[env] = Knob(env, setting or env, kind, shown, description, minimum)


def _raw(
    env: str, environ: Mapping[str, str] | None, *, blank_is_unset: bool = False
) -> str | None:
    """The variable's value (stripped), None when unset. A blank string is a value ("" switches
    a bool off, empties a list) except for numbers and JSON, where it means the default."""
    value = (os.environ if environ is None else environ).get(env)
    if value is None or (blank_is_unset and not value.strip()):
        return None
    return value.strip()


def env_str(
    env: str,
    default: str,
    description: str = "",  # required in practice: a test refuses an empty one
    *,
    setting: str | None = None,
    shown: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    _declare(env, "str", default, description, setting=setting, shown=shown)
    raw = _raw(env, environ)
    return default if raw is None else raw


def env_int(
    env: str,
    default: int,
    description: str = "",  # required in practice: a test refuses an empty one
    *,
    minimum: int | None = None,
    setting: str | None = None,
    shown: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    _declare(env, "int", default, description, setting=setting, shown=shown, minimum=minimum)
    raw = _raw(env, environ, blank_is_unset=True)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise KnobError(f"{env} must be a whole number, not {raw!r}") from None


def env_float(
    env: str,
    default: float,
    description: str = "",  # required in practice: a test refuses an empty one
    *,
    setting: str | None = None,
    shown: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> float:
    _declare(env, "float", default, description, setting=setting, shown=shown)
    raw = _raw(env, environ, blank_is_unset=True)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise KnobError(f"{env} must be a number, not {raw!r}") from None


TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def env_bool(
    env: str,
    default: bool,
    description: str = "",  # required in practice: a test refuses an empty one
    *,
    setting: str | None = None,
    shown: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> bool:
    _declare(env, "bool", default, description, setting=setting, shown=shown)
    raw = _raw(env, environ)
    if raw is None:
        return default
    # Anything not plainly "on" reads as off, as before (e.g. SHEZHI_DEBUG=prod is off).
    return raw.lower() in TRUE


def env_list(
    env: str,
    default: list[str],
    description: str = "",  # required in practice: a test refuses an empty one
    *,
    setting: str | None = None,
    shown: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """Comma-separated values, blanks dropped."""
    _declare(env, "list", default, description, setting=setting, shown=shown)
    raw = _raw(env, environ)
    if raw is None:
        return list(default)
    return [v.strip() for v in raw.split(",") if v.strip()]


def env_int_list(
    env: str,
    default: list[int],
    description: str = "",  # required in practice: a test refuses an empty one
    *,
    setting: str | None = None,
    shown: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[int]:
    _declare(env, "int list", default, description, setting=setting, shown=shown)
    raw = _raw(env, environ)
    if raw is None:
        return list(default)
    try:
        return [int(v) for v in raw.split(",") if v.strip()]
    except ValueError:
        raise KnobError(f"{env} must be whole numbers separated by commas, not {raw!r}") from None


def env_json(
    env: str,
    default: dict[str, Any],
    description: str = "",  # required in practice: a test refuses an empty one
    *,
    setting: str | None = None,
    shown: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A JSON object (for mappings such as the review days per risk level)."""
    _declare(env, "JSON", default, description, setting=setting, shown=shown)
    raw = _raw(env, environ, blank_is_unset=True)
    if raw is None:
        return dict(default)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise KnobError(f"{env} must be a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise KnobError(f"{env} must be a JSON object, not {raw!r}")
    return value


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(knobs: Mapping[str, Knob] | None = None) -> str:
    """The settings reference: one row per knob, sorted by environment variable."""
    rows = [
        "| Environment variable | Setting | Type | Default | Description |",
        "|---|---|---|---|---|",
    ]
    for knob in sorted((REGISTRY if knobs is None else knobs).values(), key=lambda k: k.env):
        default = f"`{_cell(knob.default)}`" if knob.default else "(empty)"
        setting = "same" if knob.setting == knob.env else f"`{knob.setting}`"
        rows.append(
            f"| `{knob.env}` | {setting} | {knob.kind} | {default} | {_cell(knob.description)} |"
        )
    return "\n".join(rows) + "\n"


REFERENCE_HEADER = """# Settings reference

Every deployment knob, read from the environment once in `shezhi/settings.py` and used as
`settings.<Setting>` in the code. Generated by `shezhi settings_reference > docs/settings.md`
(a test fails when this file and the declarations disagree). Lists are comma-separated; JSON
knobs take a JSON object. Start-up checks (`shezhi check`) refuse values that contradict each
other, e.g. a check-in code that expires before the next one is shown.

"""


def reference_document(knobs: Mapping[str, Knob] | None = None) -> str:
    return REFERENCE_HEADER + markdown_table(knobs)


# The environment file (deploy/shezhi.env) sets these for a production server; every other knob
# is listed commented out at its default. DATABASE_URL is read by dj-database-url, not a knob.
PRODUCTION_VALUES = {
    "SHEZHI_DEBUG": "0",
    "SHEZHI_SECRET_KEY": "",
    "SHEZHI_CASE_KEYS": "",
    "SHEZHI_ALLOWED_HOSTS": "shezhi.example.internal",
    "SHEZHI_CSRF_TRUSTED_ORIGINS": "https://shezhi.example.internal",
    "SHEZHI_PUBLIC_BASE_URL": "https://shezhi.example.internal",
    "SHEZHI_VAR_DIR": "/srv/shezhi/var",
    "SHEZHI_DB_CONN_MAX_AGE": "60",
    "SHEZHI_TRUSTED_PROXIES": "127.0.0.1",
    "SHEZHI_MEDIA_ACCEL_PREFIX": "/protected-media/",
}

ENV_TEMPLATE_HEADER = """\
# Environment file for Shezhi's web nodes, Celery worker and beat (systemd EnvironmentFile=,
# see deploy/systemd/). Copy to /etc/shezhi/shezhi.env (mode 0640, owner root, group shezhi),
# fill in the values without a default and restart the units. Generated from the knobs declared
# in shezhi/settings.py by `shezhi settings_reference --env > deploy/shezhi.env`; a line left
# commented out keeps its default (docs/settings.md has the same list as a table).
#
# Required values:
#   SHEZHI_SECRET_KEY  50+ random characters, e.g.
#                      python3 -c 'import secrets; print(secrets.token_urlsafe(50))'
#   SHEZHI_CASE_KEYS   one or more Fernet keys, e.g. python3 -c 'from cryptography.fernet
#                      import Fernet; print(Fernet.generate_key().decode())'

# PostgreSQL (read by dj-database-url).
DATABASE_URL=postgres://shezhi:CHANGE-ME@db.example.internal:5432/shezhi
"""


def _env_value(value: str) -> str:
    """Single-quoted when it holds spaces or quotes (systemd and `sh` both read that)."""
    if value and any(ch in value for ch in " \"'\\$`#"):
        return "'" + value.replace("'", "") + "'"
    return value


def _symbolic(default: str) -> bool:
    return "<" in default or "SHEZHI_" in default or default.startswith("not ")


def env_template(knobs: Mapping[str, Knob] | None = None) -> str:
    """deploy/shezhi.env: every knob with its description, type and default, sorted by name."""
    lines = [ENV_TEMPLATE_HEADER]
    for knob in sorted((REGISTRY if knobs is None else knobs).values(), key=lambda k: k.env):
        lines.append(f"# {knob.description} ({knob.kind}; default: {knob.default or '(empty)'})")
        if knob.env in PRODUCTION_VALUES:
            lines.append(f"{knob.env}={_env_value(PRODUCTION_VALUES[knob.env])}")
        elif _symbolic(knob.default):
            lines.append(f"#{knob.env}=")  # a default that depends on another knob
        else:
            lines.append(f"#{knob.env}={_env_value(knob.default)}")
        lines.append("")
    return "\n".join(lines)
