"""A file handed to the person who asked for it (proofs, reports, exports, data copies): saved as
an attachment under its Chinese name, and kept out of every shared cache (it is personal data)."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def as_private_download(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response


def private_download(content: bytes, name: str, content_type: str) -> HttpResponse:
    return as_private_download(HttpResponse(content, content_type=content_type), name)
