"""Records that change only through the services are read-only in the admin."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from shezhi.core.admin import ReadOnlyMixin

SERVICE_OWNED = [
    "core.auditevent",
    "core.taskrun",
    "needs.need",
    "people.resident",
    "care.careprofile",
    "care.visit",
    "proofs.proof",
    "timebank.deposit",
    "timebank.transaction",
    "privacy.rightsrequest",
    "privacy.retentionrun",
]


@pytest.mark.parametrize("label", SERVICE_OWNED)
def test_service_owned_records_cannot_be_added_changed_or_deleted_in_the_admin(label, admin_user):
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label_lower == label)
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert isinstance(model_admin, ReadOnlyMixin)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    for inline in model_admin.get_inline_instances(request):
        assert not inline.has_add_permission(request, None)
        assert not inline.has_change_permission(request)
