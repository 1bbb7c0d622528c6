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
from shezhi.volunteers.models import Volunteer
from shezhi.volunteers.tests.factories import record


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, content: bytes, **fields):
    data = {"kind": "volunteers", **fields}
    data["file"] = SimpleUploadedFile(
        fields.pop("name", "志愿者.xlsx"), content, content_type="application/octet-stream"
    )
    return client.post("/api/v1/imports", data)


def test_template_downloads_are_xlsx_with_chinese_headers(world):
    client = client_for(world.alice)
    for kind, first in (("volunteers", "姓名"), ("records", "志愿者编号")):
        response = client.get(f"/api/v1/imports/templates/{kind}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        ws = load_workbook(BytesIO(response.content)).worksheets[0]
        assert ws["A1"].value == first
    assert client.get("/api/v1/imports/templates/other").status_code == 404


def test_upload_then_status_then_done(world):
    client = client_for(world.alice)
    response = upload(client, volunteer_file([volunteer_row(1), volunteer_row(2)]))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending" and body["unit"]["id"] == world.a["community"].pk
    services.import_job_run(job_id=body["id"])
    status = client.get(f"/api/v1/imports/{body['id']}").json()
    assert (status["status"], status["percent"], status["imported_rows"]) == ("done", 100, 2)
    assert status["message"] == "已导入2行"
    assert Volunteer.objects.filter(name__startswith="导入").count() == 2
    assert [j["id"] for j in client.get("/api/v1/imports").json()] == [body["id"]]


def test_failed_job_reports_errors_and_serves_the_error_report(world):
    client = client_for(world.alice)
    rows = [volunteer_row(1), volunteer_row(2, 手机号码="110")]
    job_id = upload(client, volunteer_file(rows)).json()["id"]
    services.import_job_run(job_id=job_id)
    status = client.get(f"/api/v1/imports/{job_id}").json()
    assert status["status"] == "failed"
    assert status["errors"] == [
        {"row": 3, "column": "手机号码", "reason": "手机号码格式不正确，应为以1开头的11位数字"}
    ]
    report = client.get(f"/api/v1/imports/{job_id}/errors")
    assert report.status_code == 200
    ws = load_workbook(BytesIO(report.content)).active
    assert [c.value for c in ws[2]] == [3, "手机号码", "手机号码格式不正确，应为以1开头的11位数字"]


def test_bad_files_answer_400_in_chinese(world, settings):
    client = client_for(world.alice)
    for content, name in ((b"", "a.xlsx"), (b"not a zip", "a.xlsx"), (b"PK\x03\x04", "a.txt")):
        response = upload(client, content, name=name)
        assert response.status_code == 400
        assert response.json()["field"] == "file"
    settings.SHEZHI_IMPORT_MAX_BYTES = 100
    response = upload(client, volunteer_file([volunteer_row(1)]))
    assert response.status_code == 400
    assert response.json()["message"].startswith("文件过大")
    missing = client.post("/api/v1/imports", {"kind": "volunteers"})
    assert missing.status_code == 400
    assert not ImportJob.objects.exists()


def test_outsider_cannot_upload_into_or_read_jobs_of_another_community(world):
    alice_job = upload(client_for(world.alice), volunteer_file([volunteer_row(1)])).json()["id"]
    charlie = client_for(world.charlie)
    response = upload(charlie, volunteer_file([volunteer_row(1)]), unit_id=world.a["community"].pk)
    assert response.status_code == 404
    assert charlie.get(f"/api/v1/imports/{alice_job}").status_code == 404
    assert charlie.get(f"/api/v1/imports/{alice_job}/errors").status_code == 404
    assert client_for(world.sam).get(f"/api/v1/imports/{alice_job}").status_code == 200
    assert client_for(world.bob).get(f"/api/v1/imports/{alice_job}").status_code == 404
    assert upload(client_for(world.bob), volunteer_file([volunteer_row(1)])).status_code == 403


def test_export_streams_xlsx_for_unmask_roles_and_is_audited(world):
    today = timezone.localdate()
    record(world.alice, world.bob_volunteer, world.a["community"], service_date=today)
    params = {"date_from": str(today - timedelta(days=7)), "date_to": str(today)}
    response = client_for(world.alice).get("/api/v1/imports/export/hours", params)
    assert response.status_code == 200
    ws = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][2] == world.bob_volunteer.id_number
    assert AuditEvent.objects.filter(action="export", actor=world.alice).count() == 1
    for user in (world.bob, world.admin):
        refused = client_for(user).get("/api/v1/imports/export/hours", params)
        assert refused.status_code == 403
    assert AuditEvent.objects.filter(action="export").count() == 1
    bad = client_for(world.alice).get(
        "/api/v1/imports/export/hours", {"date_from": "2026-13-01", "date_to": str(today)}
    )
    assert bad.status_code == 400


def test_operations_are_in_the_openapi_schema(db):
    paths = Client().get("/api/schema/").json()["paths"]
    assert {
        "/api/v1/imports",
        "/api/v1/imports/{job_id}",
        "/api/v1/imports/{job_id}/errors",
        "/api/v1/imports/templates/{kind}",
        "/api/v1/imports/export/hours",
    } <= set(paths)
    assert "multipart/form-data" in paths["/api/v1/imports"]["post"]["requestBody"]["content"]
