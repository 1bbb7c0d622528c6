"""The id of the request being served, carried into log records and into the tasks it starts.

A ContextVar, not a thread-local, so that it also follows code run under asyncio. The web
middleware sets it per request; the task runners set it around each task from the envelope."""

from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("shezhi_request_id", default="")


def current_request_id() -> str:
    """The id of the request (or of the request that queued the running task); "" outside one."""
    return _request_id.get()


def set_request_id(value: str) -> object:
    """Set the current id; returns a token for reset_request_id()."""
    return _request_id.set(value)


def reset_request_id(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]
