"""Access and copy (PIPL art. 45): the export holds what the platform keeps, unmasked, to the
resident or a worker in scope, every read audited; the PDF renders in Chinese."""

import pytest

from shezhi.core.errors import Forbidden
from shezhi.core.models import AuditEvent
from shezhi.privacy.export import resident_data, resident_data_pdf
from shezhi.privacy.tests.helpers import NAME, PHONE, spread_resident


def _flat(data) -> str:
    return str(data["sections"])


def test_export_is_complete(world):
    marked = spread_resident(world)
    data = resident_data(actor=world.dora, resident=marked.resident, purpose="export")
    text = _flat(data)
    for needle in (NAME, PHONE, marked.id_number, "热水器", "精神好"):
        assert needle in text
    keys = {s["key"] for s in data["sections"]}
    assert {"resident", "account", "needs", "care", "volunteer", "rules", "reads"} <= keys
    reads = next(s for s in data["sections"] if s["key"] == "reads")["items"]
    assert any("alice" in r["查看人"] for r in reads)  # who saw the full ID number
    resident_data(actor=world.dora, resident=marked.resident)  # her own look …
    again = resident_data(actor=world.dora, resident=marked.resident)
    reads = next(s for s in again["sections"] if s["key"] == "reads")["items"]
    assert not any("dora" in r["查看人"] for r in reads)  # … is not listed to her
    assert AuditEvent.objects.filter(action="export", object_id=str(marked.resident.pk)).exists()


def test_a_volunteer_of_the_same_community_is_refused(world):
    with pytest.raises(Forbidden):
        resident_data(actor=world.bob, resident=world.dora_resident)


def test_pdf_renders(world):
    pytest.importorskip("fpdf")
    from shezhi.proofs.pdf import FontUnavailable, find_font

    try:
        find_font()
    except FontUnavailable:
        pytest.skip("fonts-noto-cjk not installed")
    pdf = resident_data_pdf(actor=world.alice, resident=world.dora_resident)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
