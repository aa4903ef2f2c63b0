"""One source for each fact: every place that offers a role, a level, a suggestion mode, an export format or
a setting lists exactly the values of its source, so that a value added in one place only fails here.

The sources: account roles in graphapp.queries.accounts.ROLES, levels in graphapp.queries.schema.LEVELS,
modes in graphapp.analytics.suggestions.MODES, export formats in graphapp.formats.EXPORT_FORMATS, settings in
graphapp.settings.SETTINGS. The places are read as a user meets them: the command's options, the pages'
controls, the API's OpenAPI document, the import's answer, README.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest

from graphapp.analytics.suggestions import MODES
from graphapp.auth import VIEWER_ROLES
from graphapp.cli import cli
from graphapp.formats import EXPORT_FORMATS
from graphapp.queries.accounts import ROLES
from graphapp.queries.schema import LEVELS
from graphapp.settings import SETTINGS
from tests.helpers import member, write_csv

README = Path(__file__).parent.parent / "README.md"


def _choices(*command: str, option: str) -> list[str]:
    """The values a ``graphapp`` command's option accepts (click's own description of it)."""
    group: Any = cli
    for name in command:
        group = group.commands[name]
    (param,) = [p for p in group.params if p.name == option]
    assert isinstance(param.type, click.Choice), (command, option)
    return list(param.type.choices)


def _options(page: str, select_id: str) -> list[str]:
    """The values offered by the ``<select id=...>`` of a page (an option's value, else its text)."""
    found = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no select {select_id!r} on the page"
    return [
        value if value is not None else text.strip()
        for value, text in (
            (m.group(1), m.group(2))
            for m in re.finditer(r'<option(?: value="([^"]*)")?[^>]*>([^<]*)</option>', found.group(1))
        )
    ]


def _enums(doc: dict[str, Any], where: Any) -> list[list[Any]]:
    """The ``enum`` of every parameter of the OpenAPI document for which ``where(path, parameter)`` holds
    (following ``$ref``s and looking inside anyOf/oneOf/allOf and array items)."""

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def enums_in(schema: Any) -> list[list[Any]]:
        schema = resolve(schema)
        if not isinstance(schema, dict):
            return []
        found = [[v for v in schema["enum"] if v not in (None, "")]] if "enum" in schema else []  # ("": any)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                found += enums_in(sub)
        if "items" in schema:
            found += enums_in(schema["items"])
        return found

    result = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or not isinstance(operation, dict):
                continue
            for parameter in [*item.get("parameters", []), *operation.get("parameters", [])]:
                parameter = resolve(parameter)
                if where(path, parameter):
                    result += enums_in(parameter.get("schema", {}))
    return result


@pytest.fixture
def openapi(client) -> dict[str, Any]:
    """The OpenAPI document the running API serves."""
    return client.get("/api/openapi.json").get_json()


# --- Account roles -----------------------------------------------------------------------------------


def test_every_place_that_offers_a_role_offers_exactly_the_roles(client) -> None:
    for command in ("create", "invite", "set"):
        assert _choices("account", command, option="role") == list(ROLES), command
    page = client.get("/admin/accounts").get_data(as_text=True)
    assert _options(page, "invite-role") == list(ROLES)
    assert _options(page, "role-1") == list(ROLES)  # (the signed-in administrator's own account)
    assert VIEWER_ROLES[-len(ROLES) :] == ROLES  # a viewer's rank follows the roles' order


# --- Levels ------------------------------------------------------------------------------------------


def test_every_place_that_offers_a_level_offers_exactly_the_levels(client, demo_app, openapi) -> None:
    directory = client.get("/members").get_data(as_text=True)
    assert _options(directory, "level")[1:] == list(LEVELS)  # (after "any")
    topics = client.get("/topics").get_data(as_text=True)
    assert set(re.findall(r"level=(\w+)", topics)) == set(LEVELS)
    held = client.get("/topics/record-linkage").get_data(as_text=True)
    headings = re.search(r"Topics held, by level</caption>\s*<thead><tr>(.*?)</tr>", held, re.S)
    assert headings and re.findall(r'<th scope="col">(\w+)</th>', headings.group(1))[1:] == [
        level.capitalize() for level in reversed(LEVELS)
    ]
    enums = _enums(openapi, lambda path, p: p.get("name") == "level")
    assert enums and all(e == list(LEVELS) for e in enums), enums
    for level in LEVELS:
        assert client.get(f"/api/members?level={level}").status_code == 200, level
    assert client.get("/api/members?level=guru").status_code == 400


def test_an_import_takes_every_level_and_only_those(app, store_config, tmp_path) -> None:
    from graphapp.db import get_store
    from graphapp.ingest import ImportRejected, import_files

    topics = "; ".join(f"topic {i}:{level}" for i, level in enumerate(LEVELS))
    good = write_csv(tmp_path / "good.csv", [member("Ana Example", "ana@example.org", topics=topics)])
    bad = write_csv(tmp_path / "bad.csv", [member("Bo Example", "bo@example.org", topics="topic 0:guru")])
    with app.app_context():
        assert import_files(get_store(), [good], new_topics=True).counts()["INTERESTED_IN"]["created"] == len(
            LEVELS
        )
        with pytest.raises(ImportRejected) as refused:
            import_files(get_store(), [bad], new_topics=True)
    assert f"has 'guru' after the colon; use {', '.join(LEVELS)}" in refused.value.report()


def test_suggestions_read_every_level(app, tmp_path) -> None:
    """The scorer ranks every level, and the interest index it reads carries every level."""
    from graphapp.db import get_store
    from graphapp.ingest import import_files
    from graphapp.reports import suggest_peers

    rows = [
        member(
            "Ana Example",
            "ana@example.org",
            topics="; ".join(f"topic {i}:{lv}" for i, lv in enumerate(LEVELS)),
        ),
        member(
            "Bo Example",
            "bo@example.org",
            topics="; ".join(f"topic {i}:{LEVELS[-1]}" for i in range(len(LEVELS))),
        ),
        member("Cy Example", "cy@example.org", topics="elsewhere"),
    ]
    with app.app_context():
        store = get_store()
        import_files(store, [write_csv(tmp_path / "m.csv", rows)], new_topics=True)
        result = store.read(suggest_peers, "ana@example.org", mode="all", exclude_own_organisation=False)
    (bo,) = [s for s in result.suggestions if s.name == "Bo Example"]
    assert sorted((t.name, t.mine, t.theirs) for t in bo.shared_topics) == [
        (f"topic {i}", level, LEVELS[-1]) for i, level in enumerate(LEVELS)
    ]


# --- Suggestion modes --------------------------------------------------------------------------------


def test_every_place_that_offers_a_mode_offers_exactly_the_modes(client, demo_app, openapi) -> None:
    from graphapp.queries.members import MemberFilter, member_ids

    assert _choices("suggest", option="mode") == list(MODES)
    someone = demo_app.read(member_ids, MemberFilter(topic="record-linkage"))[0]
    page = client.get(f"/members/{someone}").get_data(as_text=True)
    assert _options(page, "mode") == list(MODES)
    enums = _enums(openapi, lambda path, p: p.get("name") == "mode")
    assert enums and all(e == list(MODES) for e in enums), enums
    for mode in MODES:
        answer = client.get(f"/api/members/{someone}/suggestions?mode={mode}")
        assert answer.status_code == 200 and answer.get_json()["mode"] == mode


# --- Export formats ----------------------------------------------------------------------------------


def test_every_place_that_offers_a_format_offers_exactly_the_formats(client, demo_app, openapi) -> None:
    from graphapp.exports import FORMATS

    assert list(FORMATS) == list(EXPORT_FORMATS)  # (each with a writer)
    assert _choices("export", option="fmt") == list(EXPORT_FORMATS)
    page = client.get("/topics/record-linkage").get_data(as_text=True)
    assert re.findall(r'href="/api/export/(\w+)\?', page) == list(EXPORT_FORMATS)
    enums = _enums(openapi, lambda path, p: "/export/" in path and p.get("in") == "path")
    assert enums and all(e == list(EXPORT_FORMATS) for e in enums), enums
    for name, spec in EXPORT_FORMATS.items():
        answer = client.get(f"/api/export/{name}?kind=topic&value=record-linkage")
        assert answer.status_code == 200, name
        assert answer.headers["Content-Type"].startswith(spec.media_type.split(";")[0]), name
        assert answer.headers["Content-Disposition"].endswith(f'.{spec.extension}"'), name


# --- Settings ----------------------------------------------------------------------------------------


def _readme_settings() -> list[str]:
    """The names in README's settings table (the table whose first column is headed "setting")."""
    lines = README.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(r"\|\s*setting\s*\|", line))
    names = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        names += re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    return names


def test_readme_lists_exactly_the_settings() -> None:
    assert sorted(_readme_settings()) == sorted(s.name for s in SETTINGS)


def test_the_app_reads_every_setting_from_the_environment(monkeypatch) -> None:
    from graphapp import create_app

    for setting in SETTINGS:
        value = "7" if isinstance(setting.default, int) else f"{setting.name.lower()}-from-the-environment"
        with monkeypatch.context() as m:
            m.setenv(setting.name, value)
            config = create_app().config
        assert str(config[setting.key]) == value, setting.name


def test_the_command_and_the_tests_know_every_setting(monkeypatch) -> None:
    from click.testing import CliRunner

    from tests.processes import _clean_env

    shown = CliRunner().invoke(cli, ["--help"]).output
    for setting in SETTINGS:
        assert f"{setting.name}: {setting.meaning}" in shown, setting.name
        monkeypatch.setenv(setting.name, "set")
    assert not {s.name for s in SETTINGS} & set(_clean_env())
