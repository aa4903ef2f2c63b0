"""schemathesis against /api/openapi.json, on both stores: generated requests for every documented call
(valid and invalid parameters), signed in as an administrator, on the demo network. No answer may be a
server error, and every answer must match the document (status, content type, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from graphapp import create_app
from tests.helpers import signed_in

# The document is read when this module is imported (schemathesis's lazy fixture loader does not work
# with pytest 9), from an app that opens no database to serve it; the calls then go to each test's app.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", create_app({"TESTING": True}))


@pytest.fixture
def admin_cookie(app, demo_app) -> str:  # type: ignore[no-untyped-def]
    return str(signed_in(app, "schemathesis@example.org", "admin").get_cookie("session").value)


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_api_call_answers_as_documented(case, app, admin_cookie) -> None:  # type: ignore[no-untyped-def]
    # Every check, "every schema-valid request is accepted" included: parameters that depend on each other
    # (a topic view needs its value; a member's neighbourhood cannot be aggregated) are one object parameter
    # in the document, whose schema says so.
    case.call_and_validate(app=app, cookies={"session": admin_cookie})
