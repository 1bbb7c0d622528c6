"""A bounded schemathesis run over every operation of /api/schema/, in process (WSGI): generated
requests from the document itself, as a social worker with a Bearer token. Every answer must be
no 5xx, carry the status codes and content the document declares, and match its response
schema. A failure here means the OpenAPI document lies or the API breaks on valid input."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connection
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from shezhi.accounts.services import api_token_create

# The document and the handlers are the same on both databases: one run (SQLite) keeps CI short.
# Skipped before the schema is loaded: parametrizing builds every operation's coverage cases,
# about a third of a worker's collection time, which a skipped run would pay for nothing.
if connection.vendor != "sqlite":
    pytest.skip("the schema run needs one database", allow_module_level=True)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

# Examples per operation: enough to hit each body shape and its edges, bounded for CI's time.
EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def token(world) -> str:
    _, raw = api_token_create(user=world.alice, name="schemathesis")
    return raw


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_operation_conforms_to_its_document(case, token):
    # Business rules (an unknown resident, an empty description) go beyond what a schema can
    # say, so a schema-valid request may be refused with 400/404/409: no positive-data check.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
