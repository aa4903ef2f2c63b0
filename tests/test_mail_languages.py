"""Every mail in its recipient's language (issue 15 §5), on both stores, read as a person gets it from a
real mail server: a request to join takes the language of the page it was made on (its confirmation,
approval and decline mails, whatever the coordinator's own language); a member keeps the language they
chose in the header while signed in, and their reminders come in it, dates and footer too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from graphapp.db import get_store
from graphapp.freshness import Timing, remind
from graphapp.mail import deliver_queued
from graphapp.queries.history import changes, values
from graphapp.queries.mail import written_language
from tests.helpers import csrf_token, signed_in
from tests.test_joining import _approve, ask, link_in, requests_of, valid_form

pytestmark = pytest.mark.usefixtures("demo_app")

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def catalog(app: Any) -> dict[str, Any]:
    from graphapp.joining import form_catalog

    with app.app_context():
        return get_store().read(form_catalog)


def delivered(app: Any, smtp_server: Any, to: str) -> list[Any]:
    """Deliver the queue through the real server; the messages to ``to``, oldest first, as (subject, text)."""
    app.config.update(smtp_server.config)
    with app.app_context():
        deliver_queued(get_store(), app.config)
    return [
        (str(m["Subject"]), str(m.get_body(preferencelist=("plain",)).get_content()))
        for m in smtp_server.messages
        if to in str(m["To"])
    ]


def choose(client: Any, language: str) -> None:
    response = client.post(
        "/language", data={"csrf_token": csrf_token(client, "/join"), "language": language, "next": "/"}
    )
    assert response.status_code == 303


def test_a_russian_applicant_gets_russian_mails_and_an_english_one_english(
    app, anonymous, catalog, smtp_server
) -> None:
    # A browser that reads Russian: the page's language is the request's.
    russian = app.test_client()
    russian.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru-RU,ru;q=0.9"
    en = valid_form(catalog, email="emma@stat.example.org", name="Emma Stone")
    token = csrf_token(russian, "/join")
    ru_form = valid_form(catalog, email="olga@stat.example.org", name="Ольга Смирнова")
    assert (
        russian.post(
            "/join", data={"csrf_token": token, **ru_form}, environ_base={"REMOTE_ADDR": "192.0.2.21"}
        )
    ).status_code == 302
    assert ask(app.test_client(), en, "192.0.2.22").status_code == 302

    ((subject, text),) = delivered(app, smtp_server, "olga@stat.example.org")
    assert subject == "Подтвердите вашу заявку на вступление в graphapp"
    assert text.startswith("Здравствуйте, Ольга Смирнова!")
    assert "Вы получили это письмо" in text and "You get this mail" not in text
    ((subject, text),) = delivered(app, smtp_server, "emma@stat.example.org")
    assert subject == "Confirm your request to join graphapp" and text.startswith("Hello Emma Stone,")

    # Confirmed, then approved by a coordinator who reads French: the welcome is still in Russian.
    assert app.test_client().get(link_in(text, "/join/confirm/")).status_code == 200
    olga_text = delivered(app, smtp_server, "olga@stat.example.org")[0][1]
    assert russian.get(link_in(olga_text, "/join/confirm/")).status_code == 200
    coordinator = signed_in(app, "co@example.org", "coordinator")
    choose(coordinator, "fr")
    for waiting in requests_of(app, "confirmed"):
        assert _approve(app, coordinator, waiting["id"]).status_code == 302
    subject, text = delivered(app, smtp_server, "olga@stat.example.org")[-1]
    assert subject == "Добро пожаловать в graphapp: создайте свою учётную запись"
    assert "Выберите, какие письма вы получаете" in text
    subject, text = delivered(app, smtp_server, "emma@stat.example.org")[-1]
    assert subject == "Welcome to graphapp: create your account"
    # The new member keeps the language: their later mails are in it too.
    with app.app_context():
        store = get_store()
        (olga,) = [r["member"] for r in requests_of(app, "approved") if r["email"] == "olga@stat.example.org"]
        assert store.read(written_language, olga) == "ru"


def test_a_decline_is_written_in_the_applicants_language_not_the_coordinators(
    app, catalog, smtp_server
) -> None:
    french = app.test_client()
    french.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-CH, fr;q=0.9, en;q=0.5"
    form = valid_form(catalog, email="claire@stat.example.org", name="Claire Dubois")
    token = csrf_token(french, "/join")
    assert french.post("/join", data={"csrf_token": token, **form}).status_code == 302
    ((subject, text),) = delivered(app, smtp_server, "claire@stat.example.org")
    assert subject == "Confirmez votre demande d’adhésion à graphapp"
    assert french.get(link_in(text, "/join/confirm/")).status_code == 200
    coordinator = signed_in(app, "co@example.org", "coordinator")
    choose(coordinator, "ru")
    (waiting,) = requests_of(app, "confirmed")
    declined = coordinator.post(
        f"/join/requests/{waiting['id']}/decline",
        data={"csrf_token": csrf_token(coordinator, "/join/requests"), "reason": "Hors du champ du réseau."},
    )
    assert declined.status_code == 302
    subject, text = delivered(app, smtp_server, "claire@stat.example.org")[-1]
    assert subject == "Votre demande d’adhésion à graphapp"
    assert "Hors du champ du réseau." in text and "Bonjour Claire Dubois," in text


def test_a_french_member_gets_a_french_reminder_and_an_english_one_english(app, smtp_server) -> None:
    with app.app_context():
        store = get_store()
        rows = store.read(
            lambda tx: tx.run(
                "MATCH (m:Member) WHERE m.email IS NOT NULL AND m.email <> '' RETURN m.id AS id, "
                "m.email AS email ORDER BY m.id LIMIT 3"
            )
        )
        (fr, ru, en) = rows
        # Everybody confirmed lately, but these three: due for their first reminder.
        store.write(lambda tx: tx.run("MATCH (m:Member) SET m.confirmed = '2026-05-01T00:00:00+00:00'"))
        store.write(
            lambda tx: tx.run(
                "MATCH (m:Member) WHERE m.id IN $ids SET m.confirmed = '2024-03-15T00:00:00+00:00'",
                ids=[fr["id"], ru["id"], en["id"]],
            )
        )
    # The French member chose French in the header while signed in; the chooser kept it for their mails.
    member = signed_in(app, "fr@example.org", "member", fr["id"])
    choose(member, "fr")
    assert "Vos courriels sont rédigés en Français" in member.get("/me").get_data(as_text=True)
    choose(signed_in(app, "ru@example.org", "member", ru["id"]), "ru")
    with app.app_context():
        assert get_store().read(written_language, fr["id"]) == "fr"
        (change,) = [
            c for c in get_store().read(changes, member=fr["id"], limit=100) if "language" in values(c)[1]
        ]
        assert values(change)[1]["language"] == "fr"
    with app.test_request_context("/", base_url="http://graphapp.example.org"):
        done = remind(get_store(), Timing(12, 30), now=NOW)
    assert sorted(r["id"] for r in done) == sorted([fr["id"], ru["id"], en["id"]])

    ((subject, text),) = delivered(app, smtp_server, fr["email"])
    assert subject == "Votre profil dans le réseau est-il toujours exact ?"
    assert "15 mars 2024" in text and "Choisissez les courriels que vous recevez" in text
    assert "Hello" not in text
    ((subject, text),) = delivered(app, smtp_server, ru["email"])
    assert subject == "Ваш профиль в сети по-прежнему актуален?"
    assert "15 мар. 2024" in text and "30 дней" in text
    ((subject, text),) = delivered(app, smtp_server, en["email"])
    assert subject == "Is your profile in the network still right?"
    assert "Mar 15, 2024" in text and "Choose which mails you get" in text


def test_choosing_a_language_without_signing_in_keeps_it_in_the_browser_only(app, anonymous) -> None:
    choose(anonymous, "ru")
    assert anonymous.get_cookie("graphapp_lang").value == "ru"
    page = anonymous.get("/join").get_data(as_text=True)
    assert "Заявка на вступление в сеть" in page


def test_an_introduction_is_asked_in_the_language_of_the_one_asked_and_answered_in_the_askers(
    app, smtp_server
) -> None:
    from graphapp.introductions import answer, request_introduction
    from graphapp.queries.mail import set_language

    with app.app_context():
        store = get_store()
        (asker, asked) = store.read(
            lambda tx: tx.run(
                "MATCH (m:Member) WHERE m.email IS NOT NULL AND m.email <> '' RETURN m.id AS id, "
                "m.name AS name, m.email AS email ORDER BY m.id SKIP 5 LIMIT 2"
            )
        )
        store.write(lambda tx: (tx.touched([]), set_language(tx, asked["id"], "ru")))
    # Asked from an English page: the mail to the one asked is in Russian, theirs.
    with app.test_request_context("/", base_url="http://graphapp.example.org"):
        made = get_store().write(
            request_introduction,
            asker["id"],
            asked["id"],
            "Bonjour !",
            "profile",
            "",
            "2026-06-01T09:00:00+00:00",
        )
    ((subject, text),) = delivered(app, smtp_server, asked["email"])
    assert subject == f"{asker['name']} просит о знакомстве с вами"
    assert "(откуда: профиль)" in text and "Выберите, какие письма вы получаете" in text
    # Answered from a Russian page: the mail to the asker is in English, theirs.
    with app.test_request_context(
        "/", base_url="http://graphapp.example.org", headers={"Accept-Language": "ru"}
    ):
        get_store().write(
            answer, True, "2026-06-02T09:00:00+00:00", introduction=made["id"], member=asked["id"]
        )
    ((subject, text),) = delivered(app, smtp_server, asker["email"])
    assert subject == f"{asked['name']} accepted your introduction"
    assert "You can now write to each other" in text and "Choose which mails you get" in text


def test_a_mail_to_several_people_is_composed_once_per_language(app) -> None:
    from graphapp.i18n import _
    from graphapp.mail import by_language

    calls = []

    def compose() -> str:
        calls.append(1)
        return str(_("Ask to join"))

    with app.test_request_context("/"):
        written = by_language(compose)
        seen = [written(language) for language in ("fr", "ru", "fr", "en", "de", "ru")]
    assert seen == [
        "Demander à rejoindre",
        "Заявка на вступление",
        "Demander à rejoindre",
        "Ask to join",
        "Ask to join",  # (a language graphapp does not speak: English)
        "Заявка на вступление",
    ]
    assert len(calls) == 3
