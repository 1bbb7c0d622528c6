"""Issuing, downloading and verifying proofs through the services and the web pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.proofs import selectors, services
from shezhi.proofs.models import Proof
from shezhi.proofs.tests.conftest import JANUARY
from shezhi.proofs.tests.test_pdf import pdftotext


@pytest.fixture
def proof(world, bob_records) -> Proof:
    return services.proof_issue(actor=world.bob, **JANUARY)


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def verify_path(proof: Proof, signature: str | None = None) -> str:
    path = reverse("proofs:verify", kwargs={"proof_no": proof.proof_no})
    return f"{path}?s={proof.signature if signature is None else signature}"


# --- issuing ------------------------------------------------------------------------------


def test_issued_proof_lists_the_counted_records_with_chinese_text(world, proof, tmp_path):
    assert proof.record_count == 2
    assert proof.total_hours == Decimal("3.5")  # the pending late record does not count
    text = pdftotext(bytes(proof.pdf), tmp_path).replace("\n", "")  # lines may wrap anywhere
    assert proof.proof_no in text
    assert "志愿服务证明" in text
    assert world.bob_volunteer.name in text  # the proof is the volunteer's own: full name
    assert world.bob_volunteer.volunteer_no in text
    assert "累计服务时长 3.5 小时" in text
    for expected in ("助老送餐", "为行动不便的老人上门理发", "A社区居民委员会", "2026-01-20"):
        assert expected in text
    assert "A街道新时代文明实践所" in text
    assert "逾期补录" not in text  # not counted
    assert "2026-02-03" not in text  # outside the period


def test_proof_never_prints_the_id_number(world, proof, tmp_path):
    text = pdftotext(bytes(proof.pdf), tmp_path)
    id_number = world.bob_volunteer.id_number
    assert id_number not in text
    assert id_number[-6:] not in text
    assert id_number.encode() not in bytes(proof.pdf)


def test_proof_is_stored_with_its_hash_signature_and_records(world, bob_records, proof):
    import hashlib

    assert proof.pdf_sha256 == hashlib.sha256(bytes(proof.pdf)).hexdigest()
    assert sorted(proof.record_ids) == sorted([bob_records[0].pk, bob_records[1].pk])
    assert proof.volunteer == world.bob_volunteer
    assert proof.issuer.startswith("A社区居民委员会") or "A街道" in proof.issuer
    assert world.bob_volunteer.id_number not in proof.proof_no


def test_issuing_is_audited(world, proof):
    event = AuditEvent.objects.get(object_type="proofs.proof", object_id=str(proof.pk))
    assert event.actor == world.bob
    assert event.action == AuditEvent.Action.CREATE
    assert proof.proof_no in event.summary
    assert event.changes["records"] == 2 and event.changes["total_hours"] == "3.5"


def test_empty_period_is_a_clear_error_and_issues_nothing(world, bob_records):
    with pytest.raises(InvalidInput) as exc:
        services.proof_issue(actor=world.bob, date_from=date(2025, 1, 1), date_to=date(2025, 6, 30))
    assert "没有可出具证明的志愿服务记录" in exc.value.message
    assert not Proof.objects.exists()


def test_period_must_be_ordered_and_not_in_the_future(world, bob_records):
    with pytest.raises(InvalidInput) as exc:
        services.proof_issue(actor=world.bob, date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))
    assert exc.value.field == "date_to" and "不能晚于截止日期" in exc.value.message
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidInput) as exc:
        services.proof_issue(actor=world.bob, date_from=date(2026, 1, 1), date_to=tomorrow)
    assert "不能晚于今天" in exc.value.message


def test_only_registered_volunteers_get_proofs(world, bob_records):
    for user in (world.alice, world.dora, world.charlie):
        with pytest.raises(Forbidden):
            services.proof_issue(actor=user, **JANUARY)


def test_daily_quota_answers_429(world, bob_records, settings):
    settings.SHEZHI_PROOFS_PER_DAY = 1
    services.proof_issue(actor=world.bob, **JANUARY)
    with pytest.raises(services.TooManyProofs) as exc:
        services.proof_issue(actor=world.bob, **JANUARY)
    assert exc.value.status == 429 and "重新下载" in exc.value.message


def test_missing_font_is_a_clear_chinese_error(world, bob_records, monkeypatch, tmp_path):
    monkeypatch.setattr("shezhi.proofs.pdf.FONT_DIRS", (tmp_path,))
    with pytest.raises(services.FontMissing) as exc:
        services.proof_issue(actor=world.bob, **JANUARY)
    assert "fonts-noto-cjk" in exc.value.message and not Proof.objects.exists()


# --- verification -------------------------------------------------------------------------


def test_right_number_and_signature_verify(world, proof):
    check = selectors.proof_check(proof_no=proof.proof_no, signature=proof.signature)
    assert check.proof.total_hours == Decimal("3.5")
    assert check.proof.masked_name == "鲍*"


def test_made_up_number_and_wrong_signature_do_not_verify(world, proof):
    made_up = proof.proof_no[:-1] + ("A" if proof.proof_no[-1] != "A" else "B")
    wrong = ("A" if proof.signature[0] != "A" else "B") + proof.signature[1:]
    for number, signature in ((made_up, proof.signature), (proof.proof_no, wrong)):
        with pytest.raises(NotFound) as exc:
            selectors.proof_check(proof_no=number, signature=signature)
        assert "无法验证" in exc.value.message


def test_figures_changed_in_the_database_do_not_verify(world, proof):
    Proof.objects.filter(pk=proof.pk).update(total_hours=Decimal("300.0"))
    with pytest.raises(NotFound):
        selectors.proof_check(proof_no=proof.proof_no, signature=proof.signature)


def test_stored_hash_swapped_in_the_database_does_not_verify(world, proof):
    Proof.objects.filter(pk=proof.pk).update(pdf_sha256="0" * 64)
    with pytest.raises(NotFound):
        selectors.proof_check(proof_no=proof.proof_no, signature=proof.signature)


def test_proofs_stay_verifiable_after_a_key_rotation(world, proof, settings):
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789"
    assert selectors.proof_check(proof_no=proof.proof_no, signature=proof.signature)


def test_public_page_confirms_with_masked_name_hours_period_and_issuer(world, proof):
    response = client_for().get(verify_path(proof))
    assert response.status_code == 200
    page = response.content.decode()
    assert "核验通过" in page
    assert "鲍*" in page and "3.5" in page and "2026-01-01" in page and "2026-01-31" in page
    assert proof.issuer in page
    assert world.bob_volunteer.name not in page
    assert world.bob_volunteer.id_number not in page
    assert world.bob_volunteer.phone not in page
    assert "助老送餐" not in page  # no records on the public page


def test_public_page_answers_404_for_a_made_up_number_or_wrong_signature(world, proof):
    anonymous = client_for()
    for path in (
        reverse("proofs:verify", kwargs={"proof_no": "ZM20260101-ABCDEFGH"}) + "?s=" + "a" * 43,
        verify_path(proof, signature="b" * 43),
        verify_path(proof, signature=""),
        reverse("proofs:verify", kwargs={"proof_no": proof.proof_no}),
        reverse("proofs:verify", kwargs={"proof_no": "<script>"}) + "?s=%00",
    ):
        response = anonymous.get(path)
        assert response.status_code == 404, path
        assert "无法验证" in response.content.decode()


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("证明.pdf", data, content_type="application/pdf")


def test_uploaded_untouched_file_passes(world, proof):
    response = client_for().post(verify_path(proof), {"file": upload(bytes(proof.pdf))})
    assert response.status_code == 200
    assert 'data-testid="file-ok"' in response.content.decode()


def test_uploaded_file_with_one_changed_byte_fails(world, proof):
    data = bytearray(proof.pdf)
    data[len(data) // 2] ^= 0x01
    response = client_for().post(verify_path(proof), {"file": upload(bytes(data))})
    page = response.content.decode()
    assert 'data-testid="file-bad"' in page and "未通过核验" in page
    assert 'data-testid="file-ok"' not in page


def test_file_alone_finds_its_proof_and_a_changed_file_does_not(world, proof):
    anonymous = client_for()
    url = reverse("proofs:verify_file")
    response = anonymous.post(url, {"file": upload(bytes(proof.pdf))})
    assert response.status_code == 200 and proof.proof_no in response.content.decode()
    assert world.bob_volunteer.name not in response.content.decode()
    changed = bytes(proof.pdf) + b"\n"
    response = anonymous.post(url, {"file": upload(changed)})
    assert response.status_code == 404 and "无法验证" in response.content.decode()
    assert anonymous.post(url, {}).status_code == 400


# --- the volunteer's page and downloads ---------------------------------------------------


def test_volunteer_issues_from_the_mobile_page_and_downloads(world, bob_records):
    bob = client_for(world.bob)
    assert bob.get(reverse("proofs:mine")).status_code == 200
    response = bob.post(
        reverse("proofs:mine"), {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    )
    assert response.status_code == 302
    proof = Proof.objects.get()
    page = bob.get(reverse("proofs:mine")).content.decode()
    assert proof.proof_no in page and "3.5" in page
    response = bob.get(reverse("proofs:download", kwargs={"proof_no": proof.proof_no}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content == bytes(proof.pdf)
    assert AuditEvent.objects.filter(
        object_type="proofs.proof", action=AuditEvent.Action.EXPORT, actor=world.bob
    ).exists()


def test_empty_period_on_the_mobile_page_shows_the_reason(world, bob_records):
    response = client_for(world.bob).post(
        reverse("proofs:mine"), {"date_from": "2025-01-01", "date_to": "2025-01-31"}
    )
    assert response.status_code == 400
    assert "没有可出具证明的志愿服务记录" in response.content.decode()
    assert not Proof.objects.exists()


def test_others_cannot_download_a_proof(world, proof):
    path = reverse("proofs:download", kwargs={"proof_no": proof.proof_no})
    for user in (world.charlie, world.erin, world.alice, world.admin):  # outsider first
        assert client_for(user).get(path).status_code == 404, user
    assert client_for().get(path).status_code == 302  # to the log-in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_others_do_not_see_the_proof_in_their_list(world, proof):
    page = client_for(world.erin).get(reverse("proofs:mine")).content.decode()
    assert proof.proof_no not in page
    page = client_for(world.charlie).get(reverse("proofs:mine")).content.decode()
    assert proof.proof_no not in page and "只有登记的志愿者" in page
