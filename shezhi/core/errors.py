"""One family of domain errors: a code, a Chinese message and, where it applies, the field.

Views map them to form errors or messages; the API maps them once to an HTTP status.
"""

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TypeVar

from django.core.exceptions import ValidationError


class ErrorCode(StrEnum):
    """Base of each app's error-code enum (e.g. `needs.errors.NeedError`).

    A code is a stable machine name an API client may branch on; the OpenAPI schema lists, per
    operation, the codes it can return. Codes shared by every app live here."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    ILLEGAL_TRANSITION = "illegal_transition"  # the object's state does not allow this step
    STALE = "stale"  # someone else changed the object first


class DomainError(Exception):
    """`code` is a member of ErrorCode or of an app's error enum (`<app>/errors.py`); both are
    str, so the API writes it as is."""

    status = 400
    code: str = ErrorCode.INVALID

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class ItemRefused(DomainError):
    """One item of a batch service was refused: the item's own error, plus its `index` (from 0)
    in the batch, so that an import can name the row."""

    def __init__(self, index: int, error: DomainError):
        super().__init__(error.message, field=error.field, code=error.code)
        self.status = error.status
        self.index = index
        self.error = error


Item = TypeVar("Item")
Checked = TypeVar("Checked")


def each_item(items: Iterable[Item], check: Callable[[Item], Checked]) -> list[Checked]:
    """check(item) for every item of a batch, in order; the first DomainError is raised again as
    ItemRefused naming the item's index."""
    out = []
    for index, item in enumerate(items):
        try:
            out.append(check(item))
        except DomainError as exc:
            raise ItemRefused(index, exc) from None
    return out


class InvalidInput(DomainError):
    status = 400
    code = ErrorCode.INVALID


class NotFound(DomainError):
    """Also used for objects outside the actor's scope, so that existence does not leak."""

    status = 404
    code = ErrorCode.NOT_FOUND

    def __init__(self, message: str = "未找到该记录", **kwargs: str | None):
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class Forbidden(DomainError):
    """The actor can see the object but their role may not do this to it."""

    status = 403
    code = ErrorCode.FORBIDDEN


class Conflict(DomainError):
    """The state changed under the actor (illegal transition, someone else was first)."""

    status = 409
    code = ErrorCode.CONFLICT


def from_validation_error(exc: ValidationError) -> InvalidInput:
    """Turn a model full_clean() error into one InvalidInput naming the first bad field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = "；".join(str(m) for e in errors for m in e.messages)
        return InvalidInput(message, field=None if field == "__all__" else field)
    return InvalidInput("；".join(exc.messages))
