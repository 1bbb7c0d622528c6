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


def _schema_classes(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_schema_classes(sub))
    return found


def test_every_api_schema_has_its_own_component_name(db):
    """django-ninja names a component after its class: two classes of one name would share a
    component, and one operation would be documented with the other's fields."""
    from ninja import Schema

    import shezhi.api.api  # noqa: F401  (imports every router)

    by_name: dict[str, set[str]] = {}
    for cls in _schema_classes(Schema):
        if cls.__module__.startswith("shezhi."):
            by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    shared = {name: modules for name, modules in by_name.items() if len(modules) > 1}
    assert not shared, shared


def test_each_body_is_documented_with_its_own_fields(db):
    schema = Client().get("/api/schema/").json()
    components = schema["components"]["schemas"]

    def body_fields(path: str) -> set[str]:
        ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        return set(components[ref["schema"]["$ref"].rsplit("/", 1)[-1]]["properties"])

    assert body_fields("/api/v1/needs/{need_id}/review") >= {"reopen", "note"}
    assert "approve" in body_fields("/api/v1/timebank/deposits/{deposit_id}/review")


def test_clock_times_are_documented_as_the_api_writes_them(db):
    """`format: time` would demand a UTC offset, which "09:00:00" does not have."""
    components = Client().get("/api/schema/").json()["components"]["schemas"]
    for name in ("AvailabilityIn", "AvailabilityOut"):
        start = components[name]["properties"]["start"]
        assert "format" not in start and re.fullmatch(start["pattern"], "09:00:00")
