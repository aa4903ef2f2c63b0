"""schemathesis against /api/openapi.json, on both stores: generated requests for every documented call
(valid and invalid parameters), signed in as an administrator, on the demo network. No answer may be a
server error, and every answer must match the document (status, content type, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from graphapp import create_app
from tests.helpers import csrf_token, signed_in

# The document is read when this module is imported (schemathesis's lazy fixture loader does not work
# with pytest 9), from an app that opens no database to serve it; the calls then go to each test's app.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", create_app({"TESTING": True}))


#: The API's writes (issue 12: asks and introductions): each must be in the document, so that the
#: parametrised test below sends it generated bodies and ids too.
WRITES = {
    ("POST", "/api/asks"),
    ("POST", "/api/asks/{ask}/offers"),
    ("POST", "/api/asks/{ask}/offers/{offer}/pick"),
    ("POST", "/api/asks/{ask}/close"),
    ("POST", "/api/introductions"),
    ("POST", "/api/introductions/{introduction}/answer"),
    # The vocabulary (issue 13)
    ("POST", "/api/topics/{topic}"),
    ("POST", "/api/topics/{topic}/merge"),
    ("POST", "/api/organisations/{organisation}"),
    ("POST", "/api/organisations/{organisation}/merge"),
    # A workstream's progress notes (issue 14 §5)
    ("POST", "/api/workstreams/{workstream}/notes"),
    ("PATCH", "/api/workstreams/{workstream}/notes/{note}"),
    ("DELETE", "/api/workstreams/{workstream}/notes/{note}"),
    # Shared resources (issue 14 §4)
    ("POST", "/api/resources"),
    ("PATCH", "/api/resources/{resource}"),
    ("DELETE", "/api/resources/{resource}"),
}


@pytest.fixture
def admin_cookie(app, demo_app) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The session cookie of an administrator who is also a member of the demo network (so that the
    writes act as a member), and the session's CSRF token, which the API's writes take in X-CSRFToken."""
    from graphapp.queries.members import MemberFilter, member_ids

    member = demo_app.read(member_ids, MemberFilter(topic="record-linkage"))[0]
    client = signed_in(app, "schemathesis@example.org", "admin", member)
    token = csrf_token(client, "/me")  # (first: it puts the token's secret in the session)
    return str(client.get_cookie("session").value), token


def test_the_document_has_every_write() -> None:
    documented = {(op.method.upper(), op.path) for op in (r.ok() for r in schema.get_all_operations())}
    assert documented >= WRITES, WRITES - documented


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_api_call_answers_as_documented(case, app, admin_cookie) -> None:  # type: ignore[no-untyped-def]
    # Every check, "every schema-valid request is accepted" included: parameters that depend on each other
    # (a topic view needs its value; a member's neighbourhood cannot be aggregated) are one object parameter
    # in the document, whose schema says so. Writes carry the session's CSRF token, as the document says.
    cookie, token = admin_cookie
    case.call_and_validate(app=app, cookies={"session": cookie}, headers={"X-CSRFToken": token})
