from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from shezhi.core.models import AuditEvent
from shezhi.imports import services
from shezhi.imports.models import ImportJob
from shezhi.imports.tests.factories import volunteer_file, volunteer_row
from shezhi.volunteers.tests.factories import record


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_file(client, world, content, name="志愿者.xlsx", unit=None):
    return client.post(
        "/desk/imports/upload/",
        {
            "kind": "volunteers",
            "unit": (unit or world.a["community"]).pk,
            "file": SimpleUploadedFile(name, content),
        },
    )


def test_import_page_offers_templates_upload_and_export(world):
    page = client_for(world.alice).get("/desk/imports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/desk/imports/templates/volunteers.xlsx" in html
    assert 'enctype="multipart/form-data"' in html
    assert "/desk/imports/export/" in html
    template = client_for(world.alice).get("/desk/imports/templates/records.xlsx")
    assert load_workbook(BytesIO(template.content)).worksheets[0]["A1"].value == "志愿者编号"


def test_upload_goes_to_the_job_page_with_a_progress_bar_then_shows_errors(world):
    client = client_for(world.alice)
    content = volunteer_file([volunteer_row(1), volunteer_row(2, 姓名="")])
    response = post_file(client, world, content)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/imports/{job.pk}/"
    pending = client.get(f"/desk/imports/{job.pk}/").content.decode()
    assert "<progress" in pending and "shezhi/imports.js" in pending
    assert f"/desk/imports/{job.pk}/status/" in pending
    services.import_job_run(job_id=job.pk)
    status = client.get(f"/desk/imports/{job.pk}/status/").json()
    assert status["status"] == "failed" and status["finished"] is True
    failed = client.get(f"/desk/imports/{job.pk}/").content.decode()
    assert "请填写姓名" in failed and f"/desk/imports/{job.pk}/errors.xlsx" in failed
    report = client.get(f"/desk/imports/{job.pk}/errors.xlsx")
    assert [c.value for c in load_workbook(BytesIO(report.content)).active[2]] == [
        3,
        "姓名",
        "请填写姓名",
    ]


def test_bad_upload_stays_on_the_form_with_a_chinese_error(world):
    response = post_file(client_for(world.alice), world, b"garbage", name="x.xlsx")
    assert response.status_code == 400
    assert "文件不是有效的 .xlsx 文件" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_outsider_cannot_import_into_or_see_another_communitys_job(world):
    charlie = client_for(world.charlie)
    response = post_file(charlie, world, volunteer_file([volunteer_row(1)]))
    assert response.status_code == 400  # community A is not among Charlie's choices
    assert not ImportJob.objects.exists()
    post_file(client_for(world.alice), world, volunteer_file([volunteer_row(1)]))
    job = ImportJob.objects.get()
    for url in ("", "status/", "errors.xlsx"):
        assert charlie.get(f"/desk/imports/{job.pk}/{url}").status_code == 404
    assert client_for(world.gina).get("/desk/imports/").status_code == 403
    assert client_for(world.bob).get("/desk/imports/").status_code == 403


def test_export_from_the_desk_is_audited_and_needs_the_unmask_right(world):
    today = timezone.localdate()
    record(world.alice, world.bob_volunteer, world.a["community"], service_date=today)
    params = {"date_from": str(today - timedelta(days=3)), "date_to": str(today)}
    response = client_for(world.alice).get("/desk/imports/export/", params)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export", actor=world.alice).exists()
    refused = client_for(world.admin).get("/desk/imports/export/", params)
    assert refused.status_code == 400
    assert "无权导出" in refused.content.decode()
    bad = client_for(world.alice).get("/desk/imports/export/", {"date_from": "x"})
    assert bad.status_code == 400
