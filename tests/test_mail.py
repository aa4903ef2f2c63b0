"""Mail through a real SMTP server on loopback: what a queued mail becomes (the message a person
receives), delivery with STARTTLS, TLS and a password, failures that wait and are tried again, the outbox
when no server is set, and two deliverers at once never sending a mail twice; on both stores."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graphapp.mail import MAX_ATTEMPTS, deliver_queued, queue_mail, retry_delay
from graphapp.queries.mail import mail_list, retry_mail, set_mail_off
from tests.smtp import SmtpServer, links_in, running_smtp


def _queue(
    app, store, kind="introduction_request", member=None, recipient="ana@example.org", body=None
) -> bool:  # type: ignore[no-untyped-def]
    with app.test_request_context("/", base_url="http://graphapp.example.org"):
        return store.write(
            queue_mail,
            kind,
            recipient,
            "Someone asks to be introduced",
            body or "Timo Example asks to be introduced to you.\n\nAnswer: http://graphapp.example.org/x <b>",
            member,
        )


@pytest.fixture
def mail_store(app):  # type: ignore[no-untyped-def]
    from graphapp.db import get_store

    with app.app_context():
        store = get_store()
        store.write(
            lambda tx: tx.run("CREATE (:Member {id: 'm-ana', name: 'Ana Example', email: 'ana@example.org'})")
        )
        return store


def test_a_queued_mail_arrives_with_text_html_why_and_preferences(
    app, mail_store, smtp_server: SmtpServer
) -> None:
    assert _queue(app, mail_store, member="m-ana")
    assert deliver_queued(mail_store, smtp_server.config) == {"sent": 1, "outbox": 0, "retry": 0, "failed": 0}
    (received,) = smtp_server.wait_for(1)
    assert received["To"] == "ana@example.org"
    assert received["From"] == "graphapp@example.org"
    assert received["Subject"] == "Someone asks to be introduced"
    assert received["Auto-Submitted"] == "auto-generated"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Timo Example asks to be introduced to you." in text
    assert "because a member of the network asked to be introduced to you" in text  # why it was sent
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "&lt;b&gt;" in html and "<b>" not in html  # the text is escaped in the HTML part
    assert '<a href="http://graphapp.example.org/x">' in html
    # The last link is to Ana's mail preferences, on the site's address.
    preferences = links_in(received)[-1]
    assert preferences.startswith("http://graphapp.example.org/mail/preferences/")
    (sent,) = mail_store.read(mail_list, ["sent"])
    assert sent["recipient"] == "ana@example.org" and sent["kind"] == "introduction_request"
    assert sent["text"] == ""  # once sent, who, what kind and when are kept, not the words or links
    # The link opens Ana's preferences without signing in; turning a kind off there holds.
    client = app.test_client()
    page = client.get(preferences.removeprefix("http://graphapp.example.org"))
    assert page.status_code == 200 and "Ana Example" in page.text
    assert "Someone asks to be introduced to me" in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    kept = [k for k in ("introduction_answer", "ask_offer", "ask_match")]
    saved = client.post(
        preferences.removeprefix("http://graphapp.example.org"), data={"csrf_token": token, "kind": kept}
    )
    assert saved.status_code == 302
    assert not _queue(app, mail_store, member="m-ana")  # introduction requests are off now
    assert client.get("/mail/preferences/forged-token").status_code == 404
    assert deliver_queued(mail_store, smtp_server.config)["sent"] == 0  # sent once, not again


def test_a_kind_the_member_turned_off_is_not_queued_but_answers_to_what_they_did_are(app, mail_store) -> None:
    mail_store.write(set_mail_off, "m-ana", {"introduction_request"})
    assert not _queue(app, mail_store, member="m-ana")
    assert _queue(app, mail_store, kind="join_approved", member="m-ana")  # (not optional)
    assert [m["kind"] for m in mail_store.read(mail_list, ["queued"])] == ["join_approved"]


def test_without_a_mail_server_mails_go_to_the_outbox(app, mail_store) -> None:
    _queue(app, mail_store)
    assert deliver_queued(mail_store, {}) == {"sent": 0, "outbox": 1, "retry": 0, "failed": 0}
    (kept,) = mail_store.read(mail_list, ["outbox"])
    assert "Timo Example asks to be introduced" in kept["text"]


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_delivery_over_starttls_and_tls_with_a_password(
    app, mail_store, tmp_path: Path, monkeypatch, security
) -> None:
    with running_smtp(security, user="graphapp", password="s3cret-relay", certificates=tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", server.config["SSL_CERT_FILE"])  # (the throwaway authority)
        _queue(app, mail_store)
        assert deliver_queued(mail_store, server.config)["sent"] == 1
        assert server.wait_for(1)[0]["To"] == "ana@example.org"
        # A wrong password: the mail waits, with the reason, and is tried again later.
        _queue(app, mail_store, recipient="bo@example.org")
        assert deliver_queued(mail_store, {**server.config, "GRAPHAPP_SMTP_PASSWORD": "wrong"})["retry"] == 1
        (waiting,) = mail_store.read(mail_list, ["queued"])
        assert waiting["attempts"] == "1" and "535" in waiting["last_error"]


def test_an_untrusted_certificate_is_refused(app, mail_store, tmp_path: Path) -> None:
    with running_smtp("starttls", certificates=tmp_path) as server:  # (SSL_CERT_FILE not set: untrusted)
        _queue(app, mail_store)
        assert deliver_queued(mail_store, server.config)["retry"] == 1
        assert server.messages == []
        assert "certificate" in mail_store.read(mail_list, ["queued"])[0]["last_error"].lower()


def test_a_passing_refusal_waits_doubling_and_a_permanent_one_gives_up(app, mail_store, smtp_server) -> None:
    _queue(app, mail_store)
    smtp_server.refuse = "451 Try again later"
    start = datetime.now(UTC) + timedelta(seconds=1)
    tries = []
    at = start
    for _ in range(3):
        assert deliver_queued(mail_store, smtp_server.config, now=at)["retry"] == 1
        (waiting,) = mail_store.read(mail_list, ["queued"])
        tries.append(datetime.fromisoformat(waiting["next_try"]) - at)
        assert deliver_queued(mail_store, smtp_server.config, now=at)["retry"] == 0  # not due yet
        at = datetime.fromisoformat(waiting["next_try"])
    assert (
        tries == [retry_delay(1), retry_delay(2), retry_delay(3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    )
    smtp_server.refuse = None
    assert deliver_queued(mail_store, smtp_server.config, now=at)["sent"] == 1  # then it goes
    assert len(smtp_server.wait_for(1)) == 1

    _queue(app, mail_store, recipient="nobody@example.org")
    smtp_server.refuse = "550 No such user here"
    assert deliver_queued(mail_store, smtp_server.config)["failed"] == 1
    (failed,) = mail_store.read(mail_list, ["failed"])
    assert "550" in failed["last_error"]
    # An admin puts it back; the server takes it now.
    smtp_server.refuse = None
    assert mail_store.bookkeep(retry_mail, datetime.now(UTC).isoformat(), failed["id"]) == 1
    assert deliver_queued(mail_store, smtp_server.config)["sent"] == 1


def test_a_mail_server_that_is_down_loses_nothing(app, mail_store, smtp_server) -> None:
    _queue(app, mail_store)
    down = {**smtp_server.config, "GRAPHAPP_SMTP_PORT": "1"}  # (nothing listens there)
    at = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS):
        tally = deliver_queued(mail_store, down, now=at)
        at += timedelta(hours=7)
    assert tally == {"sent": 0, "outbox": 0, "retry": 0, "failed": 1}  # given up after MAX_ATTEMPTS
    (failed,) = mail_store.read(mail_list, ["failed"])
    assert failed["attempts"] == str(MAX_ATTEMPTS) and "cannot reach the mail server" in failed["last_error"]


def test_two_deliverers_at_once_send_each_mail_once(app, mail_store, smtp_server) -> None:
    for i in range(30):
        _queue(app, mail_store, recipient=f"p{i}@example.org")
    tallies: list[dict[str, int]] = []

    def deliver() -> None:
        tallies.append(deliver_queued(mail_store, smtp_server.config, batch=5))

    workers = [threading.Thread(target=deliver) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sum(t["sent"] for t in tallies) == 30
    received = sorted(str(m["To"]) for m in smtp_server.wait_for(30))
    assert received == sorted(f"p{i}@example.org" for i in range(30))  # each once
