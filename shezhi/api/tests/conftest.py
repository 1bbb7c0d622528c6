import json
from typing import Any

import pytest
from django.test import Client

from shezhi.accounts.models import User


class ApiClient:
    """A JSON client for /api/v1/ that is logged in as one user (or nobody)."""

    def __init__(self, user: User | None = None, *, authorization: str | None = None):
        self.client = Client(headers={"Authorization": authorization} if authorization else None)
        if user is not None:
            self.client.force_login(user)

    def _send(self, method: str, path: str, body: Any = None, raw: str | None = None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return getattr(self.client, method)(
            "/api/v1" + path, data=data, content_type="application/json"
        )

    def get(self, path: str, **params: Any):
        return self.client.get("/api/v1" + path, params)

    def post(self, path: str, body: Any = None, raw: str | None = None):
        return self._send("post", path, body, raw)

    def patch(self, path: str, body: Any = None, raw: str | None = None):
        return self._send("patch", path, body, raw)


@pytest.fixture
def as_user():
    return ApiClient
