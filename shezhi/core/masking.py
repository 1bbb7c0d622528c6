"""Masking of personal identifiers for display (pure; no Django import)."""


def mask_id_number(value: str) -> str:
    """Keep the first 3 and last 4 characters: 110***********123X."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_mobile(value: str) -> str:
    """Keep the first 3 and last 4 digits: 138****5678."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """Keep the first character: 张**."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)


def mask_address(value: str, keep: int = 6) -> str:
    """Hide the tail (building, room) of an address."""
    if len(value) <= keep:
        return value
    return value[:keep] + "****"
