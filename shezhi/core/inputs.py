"""Input helpers every app's services share: one way to clean a text or a whole number, and one
way to check a model's own rules before saving it. Each refusal is an InvalidInput whose Chinese
message says what is wrong and whose `field` says where."""

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import models

from shezhi.core.errors import InvalidInput, from_validation_error


def clean_text(
    value: object,
    *,
    field: str,
    max_length: int,
    label: str = "内容",
    required: bool = True,
    missing: str = "",
) -> str:
    """`value` without surrounding blanks; None counts as empty. `missing` replaces the default
    "请填写{label}" when a required text is empty."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label}应为文字", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidInput(missing or f"请填写{label}", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{label}不能超过{max_length}个字", field=field)
    if "\x00" in value:  # PostgreSQL cannot store it: refuse here rather than fail with a 500
        raise InvalidInput(f"{label}含有无法保存的字符", field=field)
    return value


def clean_int(value: object, *, field: str, label: str, low: int, high: int) -> int:
    """A whole number from `low` to `high` (True/False are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{label}应为{low}到{high}之间的整数", field=field)
    return value


def validate_model(
    obj: models.Model,
    *,
    exclude: Collection[str] | None = None,
    constraints: bool = True,
    unique: bool = True,
    relations: bool = True,
) -> None:
    """The model's field, clean() and constraint and uniqueness checks; the first error becomes an
    InvalidInput naming its field. Batch services turn off what costs a query per object: the
    constraints, uniqueness (left to the database) and, when the related objects were loaded by
    the caller, the check that they exist (`relations`)."""
    if not relations:
        related = [f.name for f in obj._meta.concrete_fields if f.is_relation]
        exclude = [*(exclude or ()), *related]
    try:
        obj.full_clean(exclude=exclude, validate_constraints=constraints, validate_unique=unique)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def save_validated(obj: models.Model, *, update_fields: Collection[str] | None = None) -> None:
    """validate_model() then save(): nothing reaches the database that breaks the model's rules."""
    validate_model(obj)
    obj.save(update_fields=update_fields)
