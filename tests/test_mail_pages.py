"""Mail, as people see it: a member's mail preferences (from a mail's link, without signing in, and from
"My data"), and the admins' mail page (outbox, queue, failures, retry now), on both stores."""

from __future__ import annotations

import re

import pytest

from graphapp.db import get_store
from graphapp.demo import DEMO_FILES
from graphapp.ingest import import_files
from graphapp.mail import KINDS, preferences_token, queue_mail
from graphapp.queries.cypher import Tx
from graphapp.queries.mail import mail_off
from graphapp.queries.members import MemberFilter, member_ids
from tests.helpers import csrf_token, signed_in

OPTIONAL = [k for k, about in KINDS.items() if about.optional]
ALWAYS = [k for k, about in KINDS.items() if not about.optional]


@pytest.fixture
def someone(app) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        store = get_store()
        import_files(store, DEMO_FILES)
        return store.read(member_ids, MemberFilter(topic="record-linkage"))[0]


def _queued(app) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return get_store().read(
            lambda tx: tx.run("MATCH (x:Mail) RETURN x.kind AS kind, x.member AS member, x.status AS status")
        )


def _mail(
    tx: Tx, id: str, status: str, subject: str, text: str = "Hello", error: str = "", attempts: str = "0"
) -> None:
    tx.run(
        "CREATE (:Mail {id: $id, recipient: 'ann@example.org', member: '', kind: 'ask_match', "
        "subject: $subject, text: $text, html: '', status: $status, attempts: $attempts, "
        "next_try: '2026-01-02T03:04:05+00:00', last_error: $error, created: '2026-01-01T00:00:00+00:00', sent: ''})",
        id=id,
        status=status,
        subject=subject,
        text=text,
        error=error,
        attempts=attempts,
    )


def test_the_link_in_a_mail_opens_the_preferences_without_signing_in(app, someone) -> None:
    with app.test_request_context():
        token = preferences_token(someone)
    visitor = app.test_client()  # nobody signed in, and not public mode
    page = visitor.get(f"/mail/preferences/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for kind in OPTIONAL:
        assert f'name="kind" value="{kind}" checked' in html and str(KINDS[kind].label) in html
    always = html.split("Always sent, because they answer something you did")[1]
    for kind in ALWAYS:
        assert str(KINDS[kind].label) in always and f'value="{kind}"' not in html
    # Turn off all but one kind: saved on the member, and queue_mail then holds back those kinds.
    keep = OPTIONAL[0]
    saved = visitor.post(
        f"/mail/preferences/{token}",
        data={"csrf_token": csrf_token(visitor, f"/mail/preferences/{token}"), "kind": [keep]},
    )
    assert saved.status_code == 302
    with app.app_context():
        assert get_store().read(mail_off, someone) == set(OPTIONAL) - {keep}
    again = visitor.get(f"/mail/preferences/{token}").get_data(as_text=True)
    assert f'value="{keep}" checked' in again and f'value="{OPTIONAL[1]}">' in again
    assert "Your mail choices are saved" in again

    def send_all(tx: Tx) -> list[bool]:
        return [queue_mail(tx, k, "x@example.org", "S", "Body", member=someone) for k in KINDS]

    with app.test_request_context():
        sent = get_store().write(send_all)
    assert dict(zip(KINDS, sent, strict=True)) == {k: k == keep or k in ALWAYS for k in KINDS}
    assert sorted(r["kind"] for r in _queued(app)) == sorted([keep, *ALWAYS])


def test_a_link_this_site_did_not_make_is_refused(app, someone) -> None:
    visitor = app.test_client()
    assert visitor.get("/mail/preferences/not-a-token").status_code == 404
    with app.test_request_context():
        token = preferences_token(someone)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert visitor.get(f"/mail/preferences/{forged}").status_code == 404
    # An unknown kind is refused with a clear message, nothing saved.
    bad = visitor.post(
        f"/mail/preferences/{token}",
        data={"csrf_token": csrf_token(visitor, f"/mail/preferences/{token}"), "kind": ["join_confirm"]},
    )
    assert bad.status_code == 400 and "join_confirm" in bad.get_data(as_text=True)
    with app.app_context():
        assert get_store().read(mail_off, someone) == set()


def test_my_data_links_to_my_own_preferences(app, someone) -> None:
    client = signed_in(app, "me@example.org", "member", someone)
    page = client.get("/me").get_data(as_text=True)
    link = re.search(r'href="(/mail/preferences/[^"]+)">Choose which mails you get', page)
    assert link
    with app.test_request_context():
        assert link.group(1) == f"/mail/preferences/{preferences_token(someone)}"
    assert client.get(link.group(1)).status_code == 200


def test_the_admins_mail_page_shows_outbox_queue_and_failures_and_retries(app) -> None:
    with app.app_context():
        store = get_store()
        store.write(_mail, "a", "outbox", "Welcome <b>in</b>", "Dear Ann,\nfollow https://example.org/x")
        store.write(_mail, "b", "queued", "Waiting mail")
        store.write(_mail, "c", "queued", "Retrying mail", error="421 try later", attempts="2")
        store.write(_mail, "d", "failed", "Given-up mail", error="550 no such user", attempts="6")
        store.write(_mail, "e", "sent", "Gone mail")
    admin = signed_in(app, "admin@example.org", "admin")
    page = admin.get("/admin/mail").get_data(as_text=True)
    assert "1 failed · 2 waiting · 1 in the outbox · 1 sent" in page
    assert "sent by the server’s own mail worker, every 30 seconds" in page  # (no command named)
    app.config["GRAPHAPP_MAIL_INTERVAL"] = "0"
    assert "mail worker is off" in admin.get("/admin/mail").get_data(as_text=True)
    app.config["GRAPHAPP_MAIL_INTERVAL"] = "30"
    outbox = page.split('id="outbox-heading"')[1]
    assert "Welcome &lt;b&gt;in&lt;/b&gt;" in outbox and "Dear Ann,\nfollow https://example.org/x" in outbox
    failures = page.split('id="failed-heading"')[1].split('id="queue-heading"')[0]
    assert "Given-up mail" in failures and "550 no such user" in failures and "given up" in failures
    assert (
        "Retrying mail" in failures
        and "421 try later" in failures
        and "Jan 2, 2026, 3:04:05\u202fAM UTC" in failures
    )
    assert "Waiting mail" not in failures and "Gone mail" not in page
    # Retry now: the given-up mail is due again, with its attempts given back.
    token = csrf_token(admin, "/admin/mail")
    done = admin.post("/admin/mail/retry", data={"csrf_token": token, "mail": "d"})
    assert done.status_code == 302
    with app.app_context():
        row = get_store().read(
            lambda tx: tx.run(
                "MATCH (x:Mail {id: 'd'}) RETURN x.status AS s, x.attempts AS a, x.next_try AS t"
            )
        )[0]
    assert row["s"] == "queued" and row["a"] == "0" and row["t"] > "2026-11-01"
    assert "1 mail will be tried again" in admin.get("/admin/mail").get_data(as_text=True)
    statuses = {r["status"] for r in _queued(app)}
    assert statuses == {"outbox", "queued", "sent"}


def test_only_admins_open_the_mail_page(app) -> None:
    coordinator = signed_in(app, "c@example.org", "coordinator")
    assert coordinator.get("/admin/mail").status_code == 403
    assert "/admin/mail" not in coordinator.get("/members").get_data(as_text=True)


# --- Sending the queue: the command, and the server's own worker, through a real SMTP server ------------


def _queue_plain(store, n: int, prefix: str = "Mail") -> None:  # type: ignore[no-untyped-def]
    """``n`` mails to addresses (not to members: no preferences link, so no app is needed)."""

    def put(tx: Tx) -> None:
        for i in range(n):
            queue_mail(tx, "join_confirm", f"person{i}@example.org", f"{prefix} {i}", f"Hello {i}")

    store.write(put)


def test_send_queued_delivers_once_and_says_what_failed(store, runner, smtp_server, monkeypatch) -> None:
    _queue_plain(store, 3)
    store.close()
    for key, value in smtp_server.config.items():
        monkeypatch.setenv(key, value)
    done = runner.invoke("mail", "send-queued")
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "sent 3, to the outbox 0, to be tried again 0, given up 0\n"
    assert sorted(m["Subject"] for m in smtp_server.wait_for(3)) == ["Mail 0", "Mail 1", "Mail 2"]
    again = runner.invoke("mail", "send-queued")
    assert again.stdout == "sent 0, to the outbox 0, to be tried again 0, given up 0\n"
    assert len(smtp_server.messages) == 3  # nothing twice
    # A refusal for good: exit status 1, and the failure is listed with its error.
    from graphapp.store import open_store

    with open_store() as reopened:
        _queue_plain(reopened, 1, "Refused")
    smtp_server.refuse = "550 No such user here"
    refused = runner.invoke("mail", "send-queued")
    assert refused.exit_code == 1
    assert "given up 1" in refused.stdout and "see `graphapp mail failures`" in refused.stderr
    listed = runner.invoke("mail", "failures").stdout
    assert "person0@example.org\tRefused 0\t1 attempts\tgiven up\t" in listed and "550" in listed


def test_send_queued_without_a_mail_server_keeps_mail_in_the_outbox(store, runner) -> None:
    _queue_plain(store, 1)
    store.close()
    done = runner.invoke("mail", "send-queued")
    assert done.exit_code == 0 and done.stdout == "sent 0, to the outbox 1, to be tried again 0, given up 0\n"
    assert "Subject: Mail 0" in runner.invoke("mail", "outbox").stdout


def test_the_server_sends_the_queue_by_itself(store, store_config, smtp_server, tmp_path) -> None:
    """`graphapp serve` sends queued mail every GRAPHAPP_MAIL_INTERVAL seconds, with no command run."""
    from tests.processes import _clean_env, serving

    _queue_plain(store, 2)
    store.close()
    env = {**_clean_env(), **store_config, **smtp_server.config, "GRAPHAPP_MAIL_INTERVAL": "0.5"}
    with serving(env, tmp_path / "serve.log"):
        received = smtp_server.wait_for(2, timeout=30)
    assert sorted(m["Subject"] for m in received) == ["Mail 0", "Mail 1"]
    assert "sending queued mail every 0.5 s" in (tmp_path / "serve.log").read_text()


@pytest.mark.parametrize("backend", ["neo4j"])  # (an embedded file has one process at a time)
def test_servers_sharing_a_neo4j_send_each_mail_once(store, store_config, smtp_server, tmp_path) -> None:
    """Three servers on one Neo4j, each with its own worker every 0.2 s, racing for 60 mails: each mail
    arrives once."""
    import contextlib
    import time

    from tests.processes import _clean_env, serving

    env = {**_clean_env(), **store_config, **smtp_server.config, "GRAPHAPP_MAIL_INTERVAL": "0.2"}
    with contextlib.ExitStack() as servers:
        for i in range(3):
            servers.enter_context(serving(env, tmp_path / f"serve-{i}.log"))
        _queue_plain(store, 60)  # (all three are polling by now)
        smtp_server.wait_for(60, timeout=60)
        time.sleep(2)  # (time for a second copy of any of them to arrive)
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert sorted(subjects) == sorted(f"Mail {i}" for i in range(60))
    left = store.read(lambda tx: tx.run("MATCH (x:Mail) RETURN x.status AS s, count(*) AS n"))
    assert left == [{"s": "sent", "n": 60}]
