"""Error codes the activities app raises beyond the cross-app ones in `core.errors.ErrorCode`.
Values are part of the API: never rename one."""

from enum import StrEnum


class ActivityError(StrEnum):
    # sign-ups
    DUPLICATE = "duplicate"  # already signed up / already rated
    FULL = "full"  # the position's quota is taken
    INELIGIBLE = "ineligible"  # the volunteer does not meet the position's requirements
    RISK_UNACKNOWLEDGED = "risk_unacknowledged"  # hazardous position without the risk consent
    CUTOFF = "cutoff"  # past the sign-up / cancellation cut-off
    INSURANCE_REQUIRED = "insurance_required"
    BELOW_HELD = "below_held"  # quota lowered under the places already held
    # check-in and check-out
    BAD_TOKEN = "bad_token"
    TOKEN_EXPIRED = "token_expired"
    OUTSIDE_WINDOW = "outside_window"
    NOT_CONFIRMED = "not_confirmed"
    NOT_SIGNED_UP = "not_signed_up"
    NO_POSITION = "no_position"  # no geolocation sent where the activity requires it
    OUTSIDE_GEOFENCE = "outside_geofence"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_CHECKED_IN = "not_checked_in"
    ALREADY_CHECKED_OUT = "already_checked_out"
    CHECKOUT_TOO_SOON = "checkout_too_soon"
    OPEN_CHECKOUTS = "open"  # attendance confirmed while people are still checked in
    # after the activity: summary photos
    TOO_LARGE = "too_large"
    NOT_IMAGE = "not_image"
    NO_SUMMARY = "no_summary"
    TOO_MANY = "too_many"
