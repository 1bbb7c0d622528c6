"""The OpenAPI 3 schema at /api/schema/ and the docs page at /api/docs."""

import re

from django.test import Client
from openapi_spec_validator import validate


def test_schema_is_valid_openapi_3(db):
    response = Client().get("/api/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "社志通 API"
    validate(schema)
    assert "/api/v1/needs/{need_id}/dispatch" in schema["paths"]
    assert {"BearerToken", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_docs_page_loads_only_local_assets(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.I), html
    assert '"validatorUrl": null' in html


def test_unknown_api_path_and_wrong_method_answer_json(world):
    client = Client()
    client.force_login(world.alice)
    for url in ("/api/", "/api/v1/", "/api/v1/nope", "/api/v1/needs/1/fly"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    response = client.delete("/api/v1/needs/1")
    assert response.status_code == 405
    assert response.json()["message"] == "不支持该请求方法"
    assert "GET" in response["Allow"]
