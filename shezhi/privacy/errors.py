"""Error codes the privacy app raises beyond `core.errors.ErrorCode`. Never rename a value."""

from enum import StrEnum


class PrivacyError(StrEnum):
    DUPLICATE = "duplicate"  # an open request of the same kind already exists
    ALREADY_DELETED = "already_deleted"  # the resident's data has been deleted already
    FONT_MISSING = "font_missing"  # the CJK font for the PDF is not installed
