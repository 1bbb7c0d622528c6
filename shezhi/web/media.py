"""Sending an uploaded file the app has checked the viewer may see.

Behind nginx (deploy/nginx/shezhi.conf) a web node need not stream the file itself: with
SHEZHI_MEDIA_ACCEL_PREFIX set (e.g. /protected-media/) it answers with X-Accel-Redirect and
nginx sends the file from MEDIA_ROOT through its internal location, which no one can request
directly. Files in other storages (S3) are always streamed by the app.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse


def protected_file_response(file: FieldFile, content_type: str) -> HttpResponse:
    """Raises OSError when the app streams the file and it is missing."""
    prefix = settings.SHEZHI_MEDIA_ACCEL_PREFIX
    if prefix and isinstance(file.storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(file.name)
        return response
    return FileResponse(file.open("rb"), content_type=content_type)
