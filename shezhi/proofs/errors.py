"""Error codes the proofs app raises beyond the cross-app ones in `core.errors.ErrorCode`.
Values are part of the API: never rename one."""

from enum import StrEnum


class ProofError(StrEnum):
    UNVERIFIABLE = "unverifiable"  # unknown proof number, bad signature or altered file
    FONT_MISSING = "font_missing"  # the server cannot render Chinese (503)
    THROTTLED = "throttled"  # too many proofs issued in a short time (429)
