"""The ``graphapp`` command: init, import, demo, synthetic, backup, restore, join, mail, remind, serve,
topics, organisations, taxonomy, workstreams.
topics, organisations, taxonomy, projects.

Every command reads the store from the environment (``NEO4J_URI`` and friends, else ``GRAPHAPP_DB``).
Problems go to standard error with a non-zero exit status; nothing is half-written.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from graphapp.accounts import INVITATION_DAYS
from graphapp.analytics.suggestions import MODES
from graphapp.backup import GraphNotEmpty, load_backup, restore, write_backup
from graphapp.formats import EXPORT_FORMATS
from graphapp.ingest import ImportRejected, import_files
from graphapp.ingest.readers import KIND_ALIASES
from graphapp.queries.accounts import ROLES
from graphapp.queries.history import reset_actor, set_actor
from graphapp.queries.schema import SchemaTooNew, create_schema
from graphapp.queries.subgraph import AGGREGATES, UnknownSubject
from graphapp.settings import SETTINGS
from graphapp.store import DEFAULT_DB_PATH, LadybugStore, Store, StoreLocked, StoreUnavailable, open_store


class Failure(click.ClickException):
    """An error for people: printed to stderr as 'graphapp: ...', exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"graphapp: {self.format_message()}", err=True)


def _store() -> Store:
    try:
        return open_store()
    except StoreUnavailable as e:
        raise Failure(str(e)) from e


def _ready_store() -> Store:
    """The store, with its schema created or migrated (cheap and idempotent)."""
    store = _store()
    try:
        create_schema(store)
    except (StoreUnavailable, SchemaTooNew) as e:
        store.close()
        raise Failure(str(e)) from e
    return store


@contextlib.contextmanager
def _opened(
    ready: bool = True, errors: tuple[type[Exception], ...] = (), after: str = "", reading: bool = False
) -> Iterator[Store]:
    """The store for one command: closed at the end, and its failures (plus ``errors``) said plainly.

    A ``reading`` command (one that changes nothing) still works while `graphapp serve` holds the
    embedded file: LadybugDB lets another process open it read-only, as it stood when opened (with every
    committed write). A writing command is refused then, with what to do (store.StoreLocked's words)."""
    try:
        store = _ready_store() if ready else _store()
    except Failure as e:
        if not (reading and isinstance(e.__cause__, StoreLocked)):
            raise
        store = _read_only_store(e.__cause__)
    caught: tuple[type[Exception], ...] = (StoreUnavailable, *errors)
    try:
        yield store
    except caught as e:
        said = str(e)
        raise Failure(said if after.strip("; ") in said else f"{said}{after}") from e  # (not said twice)
    finally:
        store.close()


def _read_only_store(locked: StoreLocked) -> Store:
    """The embedded file opened read-only, for a reading command while another process (most likely
    `graphapp serve`) holds it for writing; says so on stderr."""
    path = os.environ.get("GRAPHAPP_DB") or DEFAULT_DB_PATH
    found = re.search(r"PID (\d+)", str(locked))
    holder = (
        f"graphapp serve (PID {found.group(1)})" if found else "another process (most likely graphapp serve)"
    )
    try:
        store = LadybugStore(path, read_only=True)
    except StoreUnavailable as e:
        raise Failure(
            f"the database file {path} is in use by {holder} and cannot be read beside it now ({e}): stop it "
            "and run this command again, or use the server's pages or API, or keep the data in Neo4j "
            "(set NEO4J_URI)"
        ) from e
    click.echo(f"graphapp: {path} is in use by {holder}: reading it read-only, as it stands now", err=True)
    return store


class ProgressPrinter:
    """Progress of long writes on stderr: a line that rewrites itself on a terminal, a line per step elsewhere."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()
        self.last_step = ""

    def __call__(self, step: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        line = f"{step}: {done:,}/{total:,} ({elapsed:.1f} s)"
        if self.tty:
            click.echo("\r" + line.ljust(60), err=True, nl=done >= total)
        elif done >= total or step != self.last_step:
            click.echo(line, err=True)
        self.last_step = step


def _settings_help() -> str:
    """The settings, for the end of ``graphapp --help`` (``\\b``: click keeps the lines as they are)."""
    lines = [f"  {s.name}: {s.meaning}" + (f" (default {s.default})" if s.default else "") for s in SETTINGS]
    return "Settings (environment variables):\n\n\b\n" + "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=_settings_help())
@click.version_option(package_name="graphapp")
def cli() -> None:
    """graphapp: the network of data science unit leaders in official statistics.

    The graph lives in Neo4j when NEO4J_URI is set (with NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE),
    otherwise in the embedded file named by GRAPHAPP_DB (default ./graphapp.lbug).
    """
    # The history records what a command changes as made on the command line, by this system user (until
    # the command ends: a command run in-process, as the tests do, leaves no actor behind).
    token = set_actor(f"cli:{_os_user()}")
    click.get_current_context().call_on_close(lambda: reset_actor(token))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return "unknown"


@cli.command()
def init() -> None:
    """Create the schema, or migrate it to this version of graphapp."""
    store = _store()
    try:
        before, now = create_schema(store)
    except (StoreUnavailable, SchemaTooNew) as e:
        raise Failure(str(e)) from e
    finally:
        store.close()
    if before is None:
        click.echo(f"created the schema (version {now}) in {store.description}")
    elif before == now:
        click.echo(f"the schema of {store.description} is up to date (version {now})")
    else:
        click.echo(f"migrated {store.description} from schema version {before} to {now}")


def _run_import(
    paths: list[str], kind: str | None, dry_run: bool, as_json: bool, new_topics: bool = False
) -> None:
    with _opened(after="; nothing was written") as store:
        try:
            plan = import_files(
                store, paths, kind=kind, dry_run=dry_run, progress=ProgressPrinter(), new_topics=new_topics
            )
        except ImportRejected as e:
            raise Failure(e.report() + _survey_hint(paths)) from e
    if as_json:
        click.echo(
            json.dumps(
                {
                    "dry_run": dry_run,
                    "changes": plan.counts(),
                    "changed": plan.changed,
                    "new_topics": plan.new_topics,
                },
                indent=1,
            )
        )
    else:
        if dry_run:
            click.echo("dry run: nothing was written")
        click.echo(plan.summary(dry_run=dry_run))


def _survey_hint(paths: list[str]) -> str:
    """What to do with a survey tool's export imported as if it were graphapp's own file."""
    from graphapp.ingest.survey import is_graphapp_file

    if len(paths) != 1 or is_graphapp_file(paths[0]):
        return ""
    return (
        "\nthis looks like a survey export, not graphapp's import format: import it through a mapping "
        f"(graphapp import {paths[0]} --guess-mapping mapping.json writes a first guess to correct)"
    )


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the files and show what would change; write nothing.")
@click.option(
    "--kind",
    type=click.Choice(sorted(KIND_ALIASES)),
    help="What the files hold; by default it is recognised from their columns.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.option(
    "--initial",
    is_flag=True,
    help="Initial load of a whole network into an empty store (no members, organisations, topics, "
    "workstreams, themes, projects or resources yet; accounts are fine): the same checks and the same "
    "graph as an import, but the rows are checked a chunk at a time and written in parts, each its own "
    "transaction, so that a million members fit in memory and in Neo4j's transaction memory. A part that "
    "fails ends the load and what was written is removed again. Refused on a store that holds a network.",
)
@click.option(
    "--new-topics",
    is_flag=True,
    help="Create the topics that members' topics or workstreams' covers name and the vocabulary lacks "
    "(without it, each is a problem with the closest topics); the summary lists them.",
)
@click.option(
    "--mapping",
    "mapping_ref",
    metavar="NAME|FILE.json",
    help="Import a survey tool's export (one CSV or XLSX file) through this mapping: a saved mapping's "
    "name, or a mapping file (docs/import-formats.md, 'Survey exports').",
)
@click.option(
    "--confirm-matches",
    is_flag=True,
    help="With --mapping: take every answer matched to a member by name and organisation (listed "
    "otherwise, and the import refused).",
)
@click.option(
    "--save-mapping",
    is_flag=True,
    help="With --mapping FILE.json: save the mapping under its name (once the import succeeded), for "
    "--mapping NAME and the Import page.",
)
@click.option(
    "--guess-mapping",
    "guess_to",
    type=click.Path(dir_okay=False),
    metavar="OUT.json",
    help="Write a first-guess mapping for a survey export (one file) to OUT.json, to correct and then "
    "pass to --mapping; import nothing. An existing OUT.json is kept, unless --force.",
)
@click.option("--force", is_flag=True, help="With --guess-mapping: replace OUT.json if it exists.")
def import_command(
    files: tuple[str, ...],
    dry_run: bool,
    kind: str | None,
    as_json: bool,
    initial: bool,
    new_topics: bool,
    mapping_ref: str | None,
    confirm_matches: bool,
    save_mapping: bool,
    guess_to: str | None,
    force: bool,
) -> None:
    """Import members, organisations, topics, workstreams, themes, projects or resources from CSV, XLSX or
    JSON files; or members from a survey tool's export, through a mapping (--mapping).

    All FILES are checked together and written in one transaction: if any row of any file is wrong,
    every problem is listed and nothing is written. Importing the same files again changes nothing.
    A topic a member or workstream names must be in the vocabulary (or in a topics file among FILES),
    unless --new-topics. See docs/import-formats.md for the columns and for survey mappings.
    """
    if guess_to or mapping_ref:
        if len(files) != 1:
            raise Failure(
                "a survey export is imported on its own: give one file with --mapping or --guess-mapping"
            )
        if kind or new_topics:
            raise Failure(
                "--kind and --new-topics are for graphapp's own files; a survey's mapping says it all"
            )
    if force and not guess_to:
        raise Failure("--force goes with --guess-mapping")
    if initial and (guess_to or mapping_ref):
        raise Failure("--initial loads graphapp's own files; a survey export is imported without it")
    if guess_to:
        _guess_mapping(files[0], guess_to, force)
    elif mapping_ref:
        _run_survey_import(files[0], mapping_ref, dry_run, as_json, confirm_matches, save_mapping)
    else:
        if confirm_matches or save_mapping:
            raise Failure("--confirm-matches and --save-mapping go with --mapping")
        if initial:
            _run_initial_load(list(files), kind, dry_run, as_json, new_topics)
        else:
            _run_import(list(files), kind, dry_run, as_json, new_topics)


def _run_initial_load(
    paths: list[str], kind: str | None, dry_run: bool, as_json: bool, new_topics: bool
) -> None:
    from graphapp.ingest.initial import LoadFailed, NotEmpty, initial_load

    with _opened(after="; nothing was written") as store:
        try:
            loaded = initial_load(
                store, paths, kind=kind, new_topics=new_topics, dry_run=dry_run, progress=ProgressPrinter()
            )
        except ImportRejected as e:
            raise Failure(e.report() + _survey_hint(paths)) from e
        except (NotEmpty, LoadFailed) as e:
            raise Failure(str(e)) from e
    if as_json:
        click.echo(
            json.dumps(
                {
                    "dry_run": dry_run,
                    "initial": True,
                    "created": {name: n for name, n in loaded.created.items() if n},
                    "new_topics": loaded.new_topics,
                },
                indent=1,
            )
        )
    else:
        if dry_run:
            click.echo("dry run: nothing was written")
        click.echo(loaded.summary(dry_run=dry_run))


def _guess_mapping(path: str, out: str, force: bool) -> None:
    from graphapp.ingest.mapping import guess_mapping, header_of
    from graphapp.queries.surveys import topic_names

    if Path(out).exists() and not force:
        raise Failure(f"{out} exists: a first guess would replace it (add --force to replace it)")

    with _opened(errors=(ImportRejected,), reading=True) as store:
        survey = header_of(path)
        vocabulary = store.read(topic_names)
    mapping = guess_mapping(survey, vocabulary=vocabulary)
    Path(out).write_text(mapping.dumps() + "\n", encoding="utf-8")
    click.echo(
        f"wrote a first guess at the mapping of {Path(path).name} to {out} (header on row {survey.header_row}):"
    )
    for column in mapping.columns:
        what = column.field + (f" ({column.topic})" if column.topic else "")
        click.echo(f"  {column.question!r}: {what}")
    click.echo("correct it, then: graphapp import " + f"{path} --mapping {out} --dry-run")


def _run_survey_import(path: str, ref: str, dry_run: bool, as_json: bool, confirm: bool, save: bool) -> None:
    from graphapp.ingest.mapping import (
        SurveyRejected,
        import_survey,
        read_mapping_file,
        saved_mapping,
    )
    from graphapp.ingest.mapping import (
        save_mapping as save_it,
    )
    from graphapp.queries.surveys import mappings

    if ref.lower().endswith((".yaml", ".yml")):
        raise Failure(
            f"{Path(ref).name}: mapping files are JSON only; write it as JSON (docs/import-formats.md, "
            "'Survey exports', has an example)"
        )
    is_file = ref.lower().endswith(".json") or Path(ref).is_file()
    if save and not is_file:
        raise Failure("--save-mapping saves a mapping file: give --mapping FILE.json")
    with _opened(after="; nothing was written") as store:
        try:
            if is_file:
                mapping = read_mapping_file(ref)
            else:
                found = store.read(saved_mapping, ref)
                if found is None:
                    names = [m["name"] for m in store.read(mappings)]
                    saved = ", ".join(names) if names else "none yet (--save-mapping saves one)"
                    raise Failure(f"no mapping is saved under the name {ref!r}; saved: {saved}")
                mapping = found
            done = import_survey(store, path, mapping, dry_run=dry_run, confirm=confirm)
        except SurveyRejected as e:
            raise Failure(e.report(limit=100)) from e
        except ImportRejected as e:
            raise Failure(e.report()) from e
        if save and not dry_run:
            store.write(save_it, mapping)
    matches = done.mapped.matches
    if as_json:
        click.echo(
            json.dumps(
                {
                    "dry_run": dry_run,
                    "mapping": mapping.name,
                    "mapping_saved": save and not dry_run,
                    "changes": done.plan.counts(),
                    "changed": done.plan.changed,
                    "new_topics": done.plan.new_topics,
                    "matches": [
                        {"row": m.row, "name": m.name, "member": m.member, "organisation": m.organisation}
                        for m in matches
                    ],
                },
                indent=1,
            )
        )
        return
    if dry_run:
        click.echo("dry run: nothing was written")
    click.echo(f"survey {Path(path).name}, read through the mapping {mapping.name!r}")
    click.echo(done.plan.summary(dry_run=dry_run))
    for m in matches:
        click.echo(
            f"  {m.row}: {m.name} is the member {m.member_name} of {m.organisation} (matched by name, confirmed)"
        )
    if save and not dry_run:
        click.echo(f"saved the mapping as {mapping.name!r}: next time, --mapping {mapping.name!r}")
    elif save:
        click.echo(
            f"the mapping {mapping.name!r} was not saved: a dry run writes nothing "
            "(--save-mapping without --dry-run saves it once the import succeeds)"
        )


@cli.command()
@click.option("--dry-run", is_flag=True, help="Show what loading the demo would change; write nothing.")
def demo(dry_run: bool) -> None:
    """Load the demo network: real organisations, topics and workstreams, 150 fictional members, and the
    competence taxonomy derived from the EDSF."""
    from graphapp.demo import DEMO_FILES
    from graphapp.taxonomy import EDSF_FILE, import_taxonomy_file

    _run_import([str(p) for p in DEMO_FILES], None, dry_run, False)
    if dry_run:
        click.echo("then the competence taxonomy derived from the EDSF would be loaded")
        return
    # The shipped competence taxonomy, after the network (it places the demo's topics), unless one is held
    # already (a coordinator's own is not replaced by loading the demo again).
    from graphapp.queries.taxonomy import areas

    after = "; the network was loaded, the taxonomy was not"
    with _opened(errors=(ImportRejected,), after=after) as store:
        if store.read(areas):
            click.echo("competence taxonomy: kept the one held (`graphapp taxonomy import` replaces it)")
            return
        change = store.write(import_taxonomy_file, EDSF_FILE)
    click.echo(f"competence taxonomy: {change.headline()} (loaded)")


@cli.command()
@click.argument("n", type=click.IntRange(1, 10_000_000))
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(file_okay=False),
    required=True,
    help="Folder to write organisations.csv, topics.csv, workstreams.csv and members.csv into.",
)
def synthetic(n: int, seed: int, out: str) -> None:
    """Write N fictional members (and their organisations and topics) as import files."""
    from graphapp.demo import synthetic as make
    from graphapp.ingest.synthetic import write_dataset

    paths = write_dataset(make(n, seed), out)
    click.echo("wrote " + ", ".join(str(p) for p in paths))


@cli.command()
@click.argument("member")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--mode", type=click.Choice(MODES), default=MODES[0], show_default=True)
@click.option("--topic", help="Only people who hold this topic (its name, an alias or its id; any case).")
@click.option(
    "--workstream", help="Only people in this workstream (its id in any case, e.g. ws2, or its name)."
)
@click.option("--region", help="Only people in this UN M49 region (e.g. Europe).")
@click.option("--include-known", is_flag=True, help="Also suggest people the member already knows.")
@click.option("--include-own-organisation", is_flag=True, help="Also suggest colleagues.")
@click.option("--json", "as_json", is_flag=True, help="Print the suggestions as JSON.")
def suggest(
    member: str,
    limit: int,
    mode: str,
    topic: str | None,
    workstream: str | None,
    region: str | None,
    include_known: bool,
    include_own_organisation: bool,
    as_json: bool,
) -> None:
    """Suggest peers, mentors or mentees for MEMBER (an id or an email), with the reasons; --mode
    been-there: people whose projects on the same topics are stages ahead."""
    from graphapp import wording
    from graphapp.reports import UnknownMember, suggest_peers

    with _opened(reading=True, errors=(UnknownMember,)) as store:
        result = store.read(
            suggest_peers,
            member,
            limit=limit,
            mode=mode,
            topic=_topic_id(store, topic),
            workstream=_workstream_id(store, workstream),
            region=region,
            exclude_known=not include_known,
            exclude_own_organisation=not include_own_organisation,
        )
    if as_json:
        click.echo(json.dumps(wording.worded_suggestions(result), indent=1, ensure_ascii=False))
        return
    click.echo(f"suggestions for {result.name} ({result.mode}):")
    if not result.suggestions:
        click.echo(f"  none: {wording.note(result)}")
    for i, s in enumerate(result.suggestions, start=1):
        where = ", ".join(x for x in (s.organisation, s.country) if x)
        click.echo(f"{i:3}. {s.name} ({where}): {s.kind}, score {s.score:.3f}")
        for reason in wording.reasons(s, result.name):
            click.echo(f"       - {reason}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the whole report as JSON.")
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Change a threshold, e.g. --set few_region_members=5 (see docs/coverage.md).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    help="The report of the network as it stood at the end of that day (UTC), rebuilt from the history.",
)
def gaps(as_json: bool, settings: tuple[str, ...], as_of: str | None) -> None:
    """Where the network is thin: the coverage report, most severe first."""
    import dataclasses

    from graphapp import wording
    from graphapp.analytics.coverage import Thresholds
    from graphapp.reports import coverage_report_as_of, coverage_report_of

    thresholds = Thresholds()
    known = {f.name: f.type for f in dataclasses.fields(Thresholds)}
    for setting in settings:
        name, _, value = setting.partition("=")
        if name not in known:
            raise Failure(f"--set {setting}: no threshold called {name!r}; there are {', '.join(known)}")
        try:
            setattr(thresholds, name, float(value) if known[name] in (float, "float") else int(value))
        except ValueError as e:
            raise Failure(f"--set {setting}: {value!r} is not a number") from e
    day = None
    if as_of:
        from graphapp.params import BadRequest, as_of_arg

        try:
            day = as_of_arg({"as_of": as_of})
        except BadRequest as e:
            raise Failure(f"--as-of {as_of}: must be a day written YYYY-MM-DD") from e
    with _opened(reading=True) as store:
        if day is None:
            report = wording.worded_report(store.read(coverage_report_of, thresholds))
        else:
            report = wording.worded_report(store.read(coverage_report_as_of, day, thresholds))
    if as_json:
        click.echo(json.dumps(report, indent=1, ensure_ascii=False))
        return
    s = report["summary"]
    if day is not None:
        click.echo(f"As the network stood at the end of {day.isoformat()} (UTC), rebuilt from the history:")
    click.echo(
        f"{s['members']} members, {s['topics']} topics, {s['workstreams']} workstreams: "
        + ", ".join(f"{n} {word}" for word, n in s["gaps"].items())
    )
    for g in report["gaps"]:
        click.echo(f"[{g['severity']}] {g['kind']}: {g['name']}: {g['detail']}")
    click.echo("clusters of interest:")
    for c in report["clusters_of_interest"]["clusters"]:
        click.echo(
            f"  {c['cluster']}: {c['people']} people: "
            + "; ".join(c["topics"][:8])
            + (" ..." if len(c["topics"]) > 8 else "")
        )


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
def backup(file: str) -> None:
    """Write the whole graph to FILE as JSON."""
    with _opened(ready=False, reading=True) as store:
        try:
            tally = write_backup(store, file)
        except OSError as e:
            raise Failure(f"cannot write {file}: {e.strerror}") from e
    click.echo(f"backed up {_describe(tally)} to {file}")


@cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--replace", is_flag=True, help="Remove everything in the graph first (in the same transaction)."
)
def restore_command(file: str, replace: bool) -> None:
    """Restore the graph from a backup FILE. The graph must be empty unless --replace is given."""
    try:
        data = load_backup(file)
    except ImportRejected as e:
        raise Failure(e.report().replace("import rejected", "restore rejected")) from e
    with _opened(errors=(GraphNotEmpty,), after="; nothing was written") as store:
        tally = restore(store, data, replace=replace)
    click.echo(f"restored {_describe(tally)} from {file}")


@cli.command("export")
@click.option(
    "--format", "fmt", required=True, type=click.Choice(list(EXPORT_FORMATS)), help="The file format."
)
@click.option("--topic", help="The people of a topic (its name, an alias or its id; any case).")
@click.option("--workstream", help="The people of a workstream (its id in any case, e.g. ws2, or its name).")
@click.option("--organisation", help="The people of an organisation (its id).")
@click.option("--country", help="The people of a country (ISO alpha-3, e.g. NLD).")
@click.option("--region", help="The people of a UN M49 region (e.g. Europe).")
@click.option("--member", help="A member's neighbourhood (their id).")
@click.option(
    "--depth", default=1, show_default=True, type=click.IntRange(1, 2), help="Hops around --member."
)
@click.option("--aggregate", type=click.Choice(AGGREGATES), help="Organisations or topics as nodes.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write.")
def export_command(fmt: str, depth: int, aggregate: str | None, output: str, **subject: str | None) -> None:
    """Export a contact map (the whole network, or one filter) in one of the formats of --format."""
    from graphapp.contactmap import View  # (drawing libraries load only for exports)
    from graphapp.exports import export, read_export

    chosen = {k: v for k, v in subject.items() if v}
    if len(chosen) > 1:
        raise Failure(f"choose one of --{', --'.join(chosen)}, not several")
    kind, value = next(iter(chosen.items()), ("network", ""))
    with _opened(reading=True, errors=(UnknownSubject,)) as store:
        if kind == "topic":
            value = _topic_id(store, value) or value
        elif kind == "workstream":
            value = _workstream_id(store, value) or value
        try:
            view = View(kind, value.upper() if kind == "country" else value, depth, aggregate or "")
        except ValueError as e:
            raise Failure(str(e)) from e
        data = store.read(read_export, view, view.title())
    content = export(data, fmt)
    target = Path(output)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(content)
    partial.replace(target)  # a reader never sees half a file
    click.echo(f"wrote {target} ({len(content):,} bytes; {len(data.people):,} people)", err=True)


@cli.group()
def account() -> None:
    """Accounts: who can sign in, and with which role."""


@account.command("create")
@click.argument("login")
@click.option("--role", type=click.Choice(ROLES), default=ROLES[0], show_default=True)
@click.option("--member", "member_id", default="", help="The member (id) this account is, if any.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of asking.")
def account_create(login: str, role: str, member_id: str, password_stdin: bool) -> None:
    """Create an account; the password is asked for (twice), or read from stdin."""
    from graphapp.accounts import hash_password, now_iso
    from graphapp.queries.accounts import AccountExists, create_account
    from graphapp.queries.members import member_exists

    login = login.strip().lower()
    password = _new_password(password_stdin)
    with _opened(errors=(AccountExists, ValueError)) as store:
        if member_id and not store.read(member_exists, member_id):
            raise Failure(f"no member with the id {member_id!r}")
        store.write(create_account, login, hash_password(password), role, member_id, now_iso())
    click.echo(f"account {login} created ({role})", err=True)


def _new_password(from_stdin: bool) -> str:
    from graphapp.accounts import password_problem

    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
        again = password
    else:
        password = click.prompt("Password", hide_input=True, err=True)
        again = click.prompt("The same again", hide_input=True, err=True)
    problem = password_problem(password, again)
    if problem:
        raise Failure(problem)
    return password


@account.command("password")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin instead of asking.")
def account_password(login: str, password_stdin: bool) -> None:
    """Set a new password for an account."""
    from graphapp.accounts import hash_password
    from graphapp.queries.accounts import update_account

    password = _new_password(password_stdin)
    with _opened() as store:
        if not store.write(update_account, login.strip().lower(), password_hash=hash_password(password)):
            raise Failure(f"no account {login!r}")
    click.echo(f"new password set for {login}", err=True)


@account.command("invite")
@click.option("--role", type=click.Choice(ROLES), default=ROLES[0], show_default=True)
@click.option("--member", "member_id", default="", help="The member (id) the invited person is, if any.")
@click.option(
    "--base-url", default="http://127.0.0.1:5000", show_default=True, help="Where graphapp is served."
)
@click.option("--days", default=INVITATION_DAYS, show_default=True, type=click.IntRange(1, 90))
def account_invite(role: str, member_id: str, base_url: str, days: int) -> None:
    """Print an invitation link (usable once); whoever opens it chooses a login and password."""
    from graphapp.accounts import UnknownInvitee, new_invitation

    with _opened(errors=(UnknownInvitee,)) as store:  # (an account tied to nobody is refused)
        token = new_invitation(store, role, member_id, "cli", days)
    click.echo(f"{base_url.rstrip('/')}/invite/{token}")


@account.command("list")
def account_list() -> None:
    """List the accounts."""
    from graphapp.queries.accounts import accounts

    with _opened(reading=True) as store:
        for a in store.read(accounts):
            click.echo(
                f"{a['id']}\t{a['role']}\t{'active' if a['active'] == 'yes' else 'blocked'}\t{a['member'] or ''}"
            )


@account.command("set")
@click.argument("login")
@click.option("--role", type=click.Choice(ROLES))
@click.option("--active", type=click.Choice(["yes", "no"]))
def account_set(login: str, role: str | None, active: str | None) -> None:
    """Change an account's role, or block (--active no) or unblock it."""
    from graphapp.queries.accounts import update_account

    changes = {k: v for k, v in (("role", role), ("active", active)) if v}
    with _opened() as store:
        if not store.write(update_account, login.strip().lower(), **changes):
            raise Failure(f"no account {login!r}")
    click.echo(f"account {login} updated", err=True)


@cli.command()
@click.argument("member")
def forget(member: str) -> None:
    """Forget a member on their request: the member, every relationship and their accounts, at once."""
    from graphapp.queries.members import forget_member

    with _opened() as store:
        if not store.write(forget_member, member):
            raise Failure(f"no member with the id {member!r}")
    click.echo(f"forgot {member}", err=True)


def _describe(tally: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {name}" for name, n in tally.items())


@cli.group()
def join() -> None:
    """Requests to join: list those waiting, approve or decline them (as the Requests to join page does)."""


@contextlib.contextmanager
def _mail_links(base_url: str) -> Iterator[None]:
    """What queuing a mail needs outside a web request: the app, and the site's address for its links
    (GRAPHAPP_BASE_URL, else ``base_url``)."""
    from graphapp import InsecureConfiguration, create_app

    try:
        app = create_app()
    except InsecureConfiguration as e:
        raise Failure(str(e)) from e
    with app.test_request_context("/", base_url=app.config.get("GRAPHAPP_BASE_URL") or base_url):
        yield


_BASE_URL = click.option(
    "--base-url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Where graphapp is served, for the link in the mail (GRAPHAPP_BASE_URL wins when set).",
)


@join.command("list")
def join_list() -> None:
    """The confirmed requests waiting for a decision, oldest first: id, date, name, email, organisation."""
    from graphapp.joining import form_catalog
    from graphapp.queries.joining import requests_with_status

    with _opened(reading=True) as store:
        waiting = store.read(requests_with_status, "confirmed")
        names = {o["id"]: o["name"] for o in store.read(form_catalog)["organisations"]}
    for r in waiting:
        organisation = names.get(r["organisation"], r["organisation"]) or f"{r['new_organisation']} (new)"
        click.echo(f"{r['id']}\t{(r['confirmed'] or '')[:10]}\t{r['name']}\t{r['email']}\t{organisation}")
    click.echo(f"{len(waiting)} request(s) waiting", err=True)


@join.command("approve")
@click.argument("request_id")
@_BASE_URL
def join_approve(request_id: str, base_url: str) -> None:
    """Approve a request: the member is created and their account invitation mailed (queued)."""
    from graphapp.joining import ApprovalRefused, approve_request, new_token, now_iso

    with _opened(errors=(ApprovalRefused,)) as store, _mail_links(base_url):
        member = store.write(approve_request, request_id, "cli", new_token(), now_iso())
    click.echo(f"approved: member {member}; the invitation to create an account is queued by mail", err=True)


@join.command("decline")
@click.argument("request_id")
@click.option("--reason", required=True, help="Why (mailed to the person).")
@_BASE_URL
def join_decline(request_id: str, reason: str, base_url: str) -> None:
    """Decline a request, mailing the reason."""
    from graphapp.joining import LIMITS, decline_request, now_iso

    reason = reason.strip()
    if not reason or len(reason) > LIMITS["reason"]:
        raise Failure(f"give a reason of 1 to {LIMITS['reason']} characters: it is mailed to the person")
    with _opened() as store, _mail_links(base_url):
        if not store.bookkeep(decline_request, request_id, "cli", reason, now_iso()):
            raise Failure(f"no request {request_id!r} is waiting for a decision")
    click.echo("declined; the reason is queued by mail", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve the web app with a production WSGI server (waitress). It listens at once and prepares the
    suggestion index and the coverage report in the background (GRAPHAPP_WARM_UP; /api/health says when
    they are ready). On Neo4j, several can run behind a load balancer: see docs/deploying.md."""
    import waitress

    from graphapp import InsecureConfiguration, create_app, warmup
    from graphapp.db import get_store

    try:
        app = create_app()
    except InsecureConfiguration as e:
        raise Failure(str(e)) from e
    # Open the store now, not on the first request: a wrong URI or a locked file should stop the start.
    try:
        with app.app_context():
            store = get_store()
    except (StoreUnavailable, SchemaTooNew) as e:
        raise Failure(str(e)) from e
    click.echo(f"graphapp on http://{host}:{port}/ using {store.description}", err=True)
    if warmup.start(app):  # (in the background: the server listens at once; /api/health says when done)
        click.echo("preparing the suggestion index and the coverage report in the background", err=True)
    try:
        interval = float(app.config["GRAPHAPP_MAIL_INTERVAL"] or 0)
    except ValueError:
        raise Failure("GRAPHAPP_MAIL_INTERVAL must be a number of seconds (0: no mail worker)") from None
    if interval > 0:
        from graphapp.worker import MailWorker

        MailWorker(app, interval).start()  # (a daemon thread: it ends with the server)
        click.echo(f"sending queued mail every {interval:g} s", err=True)
    # Behind GRAPHAPP_PROXIES proxies the app reads X-Forwarded-* itself (werkzeug's ProxyFix, trusting that
    # many hops); waitress would remove those headers first, and every sign-in would count against the
    # proxy's address (five failures anywhere locking out everyone). Without a proxy they are removed.
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="graphapp",
        clear_untrusted_proxy_headers=not int(app.config["GRAPHAPP_PROXIES"]),
    )


@cli.command()
@click.option("--dry-run", is_flag=True, help="List who would be reminded or left out; change nothing.")
@_BASE_URL
def remind(dry_run: bool, base_url: str) -> None:
    """Mail the reminders to confirm a profile that are due, and leave out of suggestions those who
    answered neither (GRAPHAPP_CONFIRM_MONTHS, GRAPHAPP_REMINDER_DAYS). Safe to run from cron any number
    of times, and from several processes at once: no reminder goes twice. The mails are queued, and sent
    by `graphapp serve` or `graphapp mail send-queued`."""
    from graphapp.freshness import Timing
    from graphapp.freshness import remind as run_reminders
    from graphapp.settings import from_environment

    try:
        timing = Timing.from_config(from_environment())
    except ValueError as e:
        raise Failure(str(e)) from e
    words = {"first": "first reminder", "second": "second reminder", "lapse": "left out of suggestions"}

    def say(row: dict[str, Any]) -> None:
        mailed = "" if row["step"] == "lapse" or row["mailed"] else " (not mailed: no address, or turned off)"
        click.echo(f"{row['id']}\t{row['name']}\t{words[row['step']]}{mailed}")

    with _opened() as store, _mail_links(base_url):
        done = run_reminders(store, timing, dry_run=dry_run, progress=None if dry_run else say)
    if dry_run:
        for row in done:
            click.echo(f"{row['id']}\t{row['name']}\twould get: {words[row['step']]}")
    tally = {step: sum(1 for r in done if r["step"] == step) for step in words}
    click.echo(
        ("would queue" if dry_run else "queued")
        + f" {tally['first']} first and {tally['second']} second reminder(s); "
        + ("would leave" if dry_run else "left")
        + f" {tally['lapse']} member(s) out of suggestions",
        err=True,
    )


@cli.group()
def introductions() -> None:
    """Introductions between members: how they fare (counts only, never the notes)."""


@introductions.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def introductions_stats(as_json: bool) -> None:
    """Introductions asked for, accepted, declined and waiting, by where they were asked from (a kind of
    suggestion: peer, mentor, mentee; an ask; a profile), and the share accepted of those answered."""
    from graphapp.reports import introduction_stats_of
    from graphapp.wording import INTRODUCTION_FROM

    with _opened(reading=True) as store:
        rows = store.read(introduction_stats_of)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'from':<20} {'asked':>6} {'accepted':>9} {'declined':>9} {'waiting':>8}  share accepted")
    for r in rows:
        share = "-" if r["share_accepted"] is None else f"{float(r['share_accepted']):.0%}"
        name = INTRODUCTION_FROM.get(str(r["kind"]), "all")
        click.echo(
            f"{name:<20} {r['asked']:>6} {r['accepted']:>9} {r['declined']:>9} {r['waiting']:>8}  {share}"
        )


# --- graphapp mail --------------------------------------------------------------------------------------


@cli.group()
def mail() -> None:
    """The mail queue: send it, read the outbox, see what failed."""


def _when(stamp: str | None) -> str:
    return (stamp or "")[:19].replace("T", " ") + " UTC" if stamp else ""


@mail.command("send-queued")
def mail_send_queued() -> None:
    """Send the queued mail that is due, once, through the mail server GRAPHAPP_SMTP_HOST names (or, with
    none, to the outbox); exit status 1 if a mail was given up on."""
    from graphapp.mail import deliver_queued
    from graphapp.settings import from_environment

    with _opened() as store:
        try:
            done = deliver_queued(store, from_environment())
        except ValueError as e:  # a setting that cannot be used
            raise Failure(str(e)) from e
    click.echo(
        f"sent {done['sent']}, to the outbox {done['outbox']}, to be tried again {done['retry']}, "
        f"given up {done['failed']}"
    )
    if done["failed"]:
        raise Failure(
            f"{done['failed']} mail{'s' if done['failed'] != 1 else ''} could not be sent and "
            f"{'were' if done['failed'] != 1 else 'was'} given up on: see `graphapp mail failures`"
        )


@mail.command("outbox")
def mail_outbox() -> None:
    """Print the mails kept in the outbox (because no GRAPHAPP_SMTP_HOST is set), newest first, as text."""
    from graphapp.queries.mail import mail_list

    with _opened(reading=True) as store:
        found = store.read(mail_list, ["outbox"], 100_000)
    if not found:
        click.echo("the outbox is empty", err=True)
    for x in found:
        click.echo(f"To: {x['recipient']}\nSubject: {x['subject']}\nDate: {_when(x['created'])}\n")
        click.echo((x["text"] or "").rstrip() + "\n")
        click.echo("-" * 72)


@mail.command("failures")
def mail_failures() -> None:
    """Print the mails that could not be sent: given up on, or waiting to be tried again."""
    from graphapp.queries.mail import mail_list

    with _opened(reading=True) as store:
        found = [
            x for x in store.read(mail_list, ["failed", "queued", "sending"], 100_000) if x["last_error"]
        ]
    if not found:
        click.echo("no mail has failed", err=True)
    for x in found:
        then = "given up" if x["status"] == "failed" else f"next try {_when(x['next_try'])}"
        click.echo(f"{x['recipient']}\t{x['subject']}\t{x['attempts']} attempts\t{then}\t{x['last_error']}")


# --- The vocabulary: topics and organisations, as coordinators keep them (graphapp.vocabulary) -----------


def _vocabulary_do(work: Any, *args: Any) -> Any:
    """Run one vocabulary action in one write transaction; a refusal is said plainly (nothing written)."""
    from graphapp.introductions import Refused

    with _opened() as store:
        try:
            return store.write(work, *args)
        except Refused as e:
            raise Failure(e.message) from e


def _vocabulary_list(what: str, as_json: bool) -> None:
    from graphapp.queries.vocabulary import organisation_vocabulary, topic_vocabulary

    with _opened(reading=True) as store:
        items = store.read(topic_vocabulary if what == "topic" else organisation_vocabulary)
    if as_json:
        click.echo(json.dumps(items, indent=2, ensure_ascii=False))
        return
    for i in items:
        extra = (
            f"{i['n']} holders\t{i['status'] or 'in use'}"
            if what == "topic"
            else f"{i['n']} members\t{i['kind'] or ''}"
        )
        click.echo(f"{i['id']}\t{i['name']}\t{'; '.join(i['aliases'])}\t{extra}")
    click.echo(f"{len(items)} {what}s", err=True)


def _vocabulary_merge(what: str, merged: str, kept: str, dry_run: bool) -> None:
    from graphapp.introductions import Refused
    from graphapp.vocabulary import merge, plan_merge

    with _opened() as store:
        try:
            plan = (
                store.read(plan_merge, what, merged, kept)
                if dry_run
                else store.write(merge, what, merged, kept)
            )
        except Refused as e:
            raise Failure(e.message) from e
    click.echo(
        f"{'would merge' if dry_run else 'merged'}: {plan.summary()}"
        + ("; nothing was written" if dry_run else "")
    )


_JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
_DRY_RUN = click.option("--dry-run", is_flag=True, help="Only say what would move; write nothing.")


@cli.group()
def topics() -> None:
    """The topic vocabulary: list, rename (the old name stays as an alias), alias, describe, merge, retire.

    Topics are named by id, name or alias, matched as an import matches them (case, accents and
    punctuation do not count). Every change is one transaction and is kept in the history.
    """


@topics.command("list")
@_JSON
def topics_list(as_json: bool) -> None:
    """Every topic: id, name, aliases, holders, status."""
    _vocabulary_list("topic", as_json)


@topics.command("rename")
@click.argument("topic")
@click.argument("new_name")
def topics_rename(topic: str, new_name: str) -> None:
    """Rename TOPIC to NEW_NAME; its old name becomes an alias."""
    from graphapp.vocabulary import rename

    done = _vocabulary_do(rename, "topic", topic, new_name)
    click.echo(f"renamed: {done['name']} (also known as: {'; '.join(done['aliases'])})", err=True)


@topics.command("alias")
@click.argument("topic")
@click.argument("alias")
def topics_alias(topic: str, alias: str) -> None:
    """Add ALIAS as another name of TOPIC."""
    from graphapp.vocabulary import add_alias

    done = _vocabulary_do(add_alias, "topic", topic, alias)
    click.echo(f"{done['name']} is also known as: {'; '.join(done['aliases'])}", err=True)


@topics.command("unalias")
@click.argument("topic")
@click.argument("alias")
def topics_unalias(topic: str, alias: str) -> None:
    """Remove ALIAS from TOPIC's other names."""
    from graphapp.vocabulary import remove_alias

    done = _vocabulary_do(remove_alias, "topic", topic, alias)
    click.echo(f"{done['name']} is also known as: {'; '.join(done['aliases']) or '(nothing else)'}", err=True)


@topics.command("describe")
@click.argument("topic")
@click.argument("description")
def topics_describe(topic: str, description: str) -> None:
    """Set TOPIC's description (an empty one clears it)."""
    from graphapp.vocabulary import describe

    done = _vocabulary_do(describe, topic, description)
    click.echo(f"described {done['name']}", err=True)


@topics.command("merge")
@click.argument("merged")
@click.argument("kept")
@_DRY_RUN
def topics_merge(merged: str, kept: str, dry_run: bool) -> None:
    """Merge the topic MERGED into KEPT: every interest moves (the higher level where a member held both),
    workstreams' covers too; MERGED's names become KEPT's aliases, and MERGED is removed."""
    _vocabulary_merge("topic", merged, kept, dry_run)


@topics.command("retire")
@click.argument("topic")
def topics_retire(topic: str) -> None:
    """Retire TOPIC: kept with its interests, no longer offered nor matched for new ones, nor a gap."""
    from graphapp.vocabulary import retire

    done = _vocabulary_do(retire, topic, True)
    click.echo(f"retired {done['name']}", err=True)


@topics.command("unretire")
@click.argument("topic")
def topics_unretire(topic: str) -> None:
    """Put a retired TOPIC back in use."""
    from graphapp.vocabulary import retire

    done = _vocabulary_do(retire, topic, False)
    click.echo(f"{done['name']} is in use again", err=True)


@cli.group()
def organisations() -> None:
    """The organisations: list, rename (the old name stays as an alias), alias, merge.

    Organisations are named by id, name or alias ("ONS"), matched as an import matches them. Every change
    is one transaction and is kept in the history.
    """


@organisations.command("list")
@_JSON
def organisations_list(as_json: bool) -> None:
    """Every organisation: id, name, aliases, members, kind."""
    _vocabulary_list("organisation", as_json)


@organisations.command("rename")
@click.argument("organisation")
@click.argument("new_name")
def organisations_rename(organisation: str, new_name: str) -> None:
    """Rename ORGANISATION to NEW_NAME; its old name becomes an alias."""
    from graphapp.vocabulary import rename

    done = _vocabulary_do(rename, "organisation", organisation, new_name)
    click.echo(f"renamed: {done['name']} (also known as: {'; '.join(done['aliases'])})", err=True)


@organisations.command("alias")
@click.argument("organisation")
@click.argument("alias")
def organisations_alias(organisation: str, alias: str) -> None:
    """Add ALIAS (such as an acronym) as another name of ORGANISATION."""
    from graphapp.vocabulary import add_alias

    done = _vocabulary_do(add_alias, "organisation", organisation, alias)
    click.echo(f"{done['name']} is also known as: {'; '.join(done['aliases'])}", err=True)


@organisations.command("unalias")
@click.argument("organisation")
@click.argument("alias")
def organisations_unalias(organisation: str, alias: str) -> None:
    """Remove ALIAS from ORGANISATION's other names."""
    from graphapp.vocabulary import remove_alias

    done = _vocabulary_do(remove_alias, "organisation", organisation, alias)
    click.echo(f"{done['name']} is also known as: {'; '.join(done['aliases']) or '(nothing else)'}", err=True)


@organisations.command("merge")
@click.argument("merged")
@click.argument("kept")
@_DRY_RUN
def organisations_merge(merged: str, kept: str, dry_run: bool) -> None:
    """Merge the organisation MERGED into KEPT: every member working there moves; MERGED's names become
    KEPT's aliases, and MERGED is removed."""
    _vocabulary_merge("organisation", merged, kept, dry_run)


# --- Topic proposals (issue 13): the same queue as the Proposed topics page ---------------------------------


@cli.group()
def proposals() -> None:
    """Topics members proposed: list those waiting, approve, map to a topic the network has, or decline."""


@proposals.command("list")
def proposals_list() -> None:
    """The waiting proposals, oldest first: id, date, proposed name, level, member, closest topics."""
    from graphapp.pages.proposals import proposals_page

    with _opened(reading=True) as store:
        shown = store.read(proposals_page)["proposals"]
    for p in shown:
        closest = "; ".join(p["closest"])
        click.echo(
            f"{p['id']}\t{(p['created'] or '')[:10]}\t{p['name']}\t{p['level']}\t{p['member_name']}\t{closest}"
        )
    click.echo(f"{len(shown)} proposal(s) waiting", err=True)


@proposals.command("approve")
@click.argument("proposal_id")
@click.option("--name", default="", help="The new topic's name, if not as proposed (e.g. a spelling fixed).")
def proposals_approve(proposal_id: str, name: str) -> None:
    """Approve a proposal: the topic is made, for everyone who proposed the same name, at their levels."""
    from graphapp.introductions import Refused
    from graphapp.proposals import approve_proposal

    with _opened(errors=(Refused,)) as store:
        done = store.write(approve_proposal, proposal_id, "cli", name)
    click.echo(
        f"approved: topic {done['topic']} ({done['name']}); {len(done['members'])} member(s) hold it now"
    )


@proposals.command("map")
@click.argument("proposal_id")
@click.argument("topic")
def proposals_map(proposal_id: str, topic: str) -> None:
    """Map a proposal to TOPIC (a topic's name, alias or id): its proposers hold that topic instead."""
    from graphapp.introductions import Refused
    from graphapp.proposals import map_proposal

    with _opened(errors=(Refused,)) as store:
        done = store.write(map_proposal, proposal_id, topic, "cli")
    click.echo(f"mapped to topic {done['topic']} ({done['name']}); {len(done['members'])} member(s) changed")


@proposals.command("decline")
@click.argument("proposal_id")
@click.option("--reason", required=True, help="Why (mailed to the member who proposed it).")
@_BASE_URL
def proposals_decline(proposal_id: str, reason: str, base_url: str) -> None:
    """Decline a proposal, mailing the reason to the member."""
    from graphapp.introductions import Refused
    from graphapp.proposals import decline_proposal

    with _opened(errors=(Refused,)) as store, _mail_links(base_url):
        store.write(decline_proposal, proposal_id, "cli", reason)
    click.echo("declined: the reason is queued by mail to the member", err=True)


# --- The competence taxonomy (graphapp.taxonomy) ------------------------------------------------------


@cli.group()
def taxonomy() -> None:
    """The competence taxonomy: areas in a hierarchy, and the topics placed in them.

    graphapp ships one derived from the EDISON Data Science Competence Framework (loaded by `graphapp
    demo`); importing another file replaces it. See the README's "Competence areas" for the columns.
    """


@taxonomy.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would change; write nothing.")
@_JSON
def taxonomy_import(file: str, dry_run: bool, as_json: bool) -> None:
    """Replace the taxonomy with the one in FILE (CSV: id, name, broader, description, topics), in one
    transaction: if any row is wrong, every problem is listed and nothing is written."""
    from graphapp.taxonomy import import_taxonomy_file

    with _opened(after="; nothing was written") as store:
        try:
            work = store.read if dry_run else store.write
            change = work(import_taxonomy_file, Path(file), dry_run)
        except ImportRejected as e:
            raise Failure(e.report()) from e
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, **change.as_dict()}, indent=1, ensure_ascii=False))
        return
    if dry_run:
        click.echo("dry run: nothing was written")
    click.echo(change.summary(dry_run=dry_run))


@taxonomy.command("coverage")
@click.option("--region", help="Only this UN M49 region (e.g. Africa), beside the whole network.")
@_JSON
def taxonomy_coverage(region: str | None, as_json: bool) -> None:
    """Coverage by competence area and region: members per level in each area (every level of the
    hierarchy), where no expert is, where learners outnumber experts (issue 14 §3)."""
    from graphapp import wording
    from graphapp.analytics.rollup import in_region
    from graphapp.queries.coverage import M49_REGIONS
    from graphapp.reports import area_coverage

    if region and region not in M49_REGIONS:
        raise Failure(f"--region {region}: must be one of {', '.join(M49_REGIONS)}")
    with _opened(reading=True) as store:
        rolled = store.read(area_coverage)
    if region:
        rolled = in_region(rolled, region)
    if as_json:
        click.echo(json.dumps(wording.worded_area_coverage(rolled), indent=1, ensure_ascii=False))
        return
    if not rolled["summary"]["areas"]:
        click.echo("no taxonomy: import one with `graphapp taxonomy import FILE`", err=True)
        return
    for sentence in wording.area_coverage_summary(rolled):
        click.echo(sentence)
    click.echo("\nmembers expert/practising/learning: " + ", ".join(["all regions", *rolled["regions"]]))

    def walk(area: dict[str, Any]) -> None:
        cells = [area["network"], *(area["regions"][r] for r in rolled["regions"])]
        counts = "  ".join(f"{c['expert']}/{c['practising']}/{c['learning']}" for c in cells)
        said = "; ".join(
            wording.AREA_FINDING_WORDS[f["kind"]] + (f" in {f['region']}" if f["region"] else "")
            for f in area["findings"]
        )
        click.echo(f"{'  ' * area['depth']}{area['name']}: {counts}" + (f"  ({said})" if said else ""))
        for narrower in area["narrower"]:
            walk(narrower)

    for area in rolled["areas"]:
        walk(area)


@taxonomy.command("show")
@_JSON
def taxonomy_show(as_json: bool) -> None:
    """The taxonomy as a tree: each area, its narrower areas, and the topics in each with their holders."""
    from graphapp.taxonomy import taxonomy_tree, tree_lines

    with _opened(reading=True) as store:
        tree = store.read(taxonomy_tree)
    if as_json:
        click.echo(json.dumps(tree, indent=1, ensure_ascii=False))
        return
    if not tree["count"]:
        click.echo("no taxonomy: import one with `graphapp taxonomy import FILE`", err=True)
        return
    for line in tree_lines(tree):
        click.echo(line)
    click.echo(f"{tree['count']} areas, {tree['topics_placed']} topics placed", err=True)
    for source in tree["sources"]:
        click.echo(f"source: {source}", err=True)


# --- graphapp workstreams (issue 14 §5) -------------------------------------------------------------------


@cli.group()
def workstreams() -> None:
    """Workstreams: the progress notes their leads publish."""


@workstreams.command("notes")
@click.argument("workstream")
@click.option("--json", "as_json", is_flag=True, help="Print the notes as JSON.")
def workstreams_notes(workstream: str, as_json: bool) -> None:
    """A workstream's progress notes, newest first: the day, who wrote it, and the text."""
    from graphapp.queries.workstreams import progress_notes

    with _opened(reading=True) as store:
        workstream = _workstream_id(store, workstream) or workstream
        notes = store.read(progress_notes, workstream)
    if as_json:
        click.echo(json.dumps(notes, indent=1, ensure_ascii=False))
        return
    if not notes:
        click.echo(f"{workstream} has no progress notes yet", err=True)
    for i, n in enumerate(notes):
        by = n["member_name"] or ("a coordinator" if n["member"] is None else "a former lead")
        click.echo(("\n" if i else "") + f"{n['date']}  by {by}")
        for line in n["text"].splitlines():
            click.echo(f"  {line}".rstrip())


# --- Projects (issue 14 §1: the projects part) -------------------------------------------------------------


from graphapp.queries.schema import STAGES as PROJECT_STAGES  # noqa: E402  (with the block that uses it)


@cli.group()
def projects() -> None:
    """Projects (machine-learning uses) and their stage on the journey: idea, demonstration, production,
    maintenance. Added and changed on the web (/projects) or through the API."""


def _project_lines(p: dict[str, Any]) -> str:
    day = p.get(p["stage"]) or ""
    organisation = (p.get("organisation") or {}).get("name") or "no organisation given"
    topics = ", ".join(t["name"] for t in p["topics"]) or "no topics"
    return f"{p['id']}\t{p['title']}\t{p['stage']}{' since ' + day if day else ''}\t{organisation}\t{topics}"


def _no_emails(p: dict[str, Any]) -> dict[str, Any]:
    """A project as the command prints it: members by id, name and role (no emails: those follow each
    member's choice, which only the pages and the API can weigh for a viewer)."""
    return {**p, "members": [{"id": m["id"], "name": m["name"], "role": m["role"]} for m in p["members"]]}


@projects.command("list")
@click.option("--stage", type=click.Choice(PROJECT_STAGES), help="Only projects at this stage.")
@click.option("--topic", help="Only projects on this topic (its id, name or an alias).")
@_JSON
def projects_list(stage: str | None, topic: str | None, as_json: bool) -> None:
    """Every project (or those at a stage, on a topic), by title: id, title, stage and since when,
    organisation, topics."""
    from graphapp.queries.projects import projects_of

    with _opened(reading=True) as store:
        topic_id = _topic_id(store, topic)
        found = store.read(projects_of, topic=topic_id, stage=stage)
    if as_json:
        click.echo(json.dumps([_no_emails(p) for p in found], indent=1, ensure_ascii=False))
        return
    for p in found:
        click.echo(_project_lines(p))
    click.echo(f"{len(found)} project{'s' if len(found) != 1 else ''}", err=True)


@projects.command("show")
@click.argument("project_id")
@_JSON
def projects_show(project_id: str, as_json: bool) -> None:
    """One project: its journey stage by stage, organisation, topics, workstream, domain, links, people."""
    from graphapp.ingest.gsbpm import domain_name
    from graphapp.queries.projects import project
    from graphapp.queries.schema import STAGES

    with _opened(reading=True) as store:
        found = store.read(project, project_id)
    if found is None:
        raise Failure(f"there is no project with the id {project_id!r}")
    if as_json:
        click.echo(json.dumps(_no_emails(found), indent=1, ensure_ascii=False))
        return
    at = STAGES.index(found["stage"])
    click.echo(found["title"])
    if found["description"]:
        click.echo(found["description"])
    click.echo(f"organisation: {(found['organisation'] or {}).get('name') or 'not given'}")
    workstream = found["workstream"]
    click.echo(f"workstream: {workstream['id'] + ' ' + (workstream['name'] or '') if workstream else 'none'}")
    click.echo(f"domain: {domain_name(found['domain']) if found['domain'] else 'not given'}")
    click.echo(f"topics: {', '.join(t['name'] for t in found['topics']) or 'none'}")
    for i, s in enumerate(STAGES):
        said = (
            (f"reached {found[s]}" if found[s] else "reached (day not known)") if i <= at else "not reached"
        )
        click.echo(f"{s}: {said}{'  <- now' if i == at else ''}")
    for k in ("report", "code"):
        if found[k]:
            click.echo(f"{k}: {found[k]}")
    for m in found["members"]:
        click.echo(f"member: {m['name']} ({m['id']}), {m['role']}")


def _topic_id(store: Store, text: str | None) -> str | None:
    """The id of the topic a ``--topic`` option names (name, alias or id, any case or accents); a name
    that matches nothing fails with "did you mean ...?"."""
    if not text:
        return None
    from graphapp.proposals import UnknownTopic, find_topic

    try:
        return store.read(find_topic, text)
    except UnknownTopic as e:
        raise Failure(e.message) from e


class UnknownWorkstream(Exception):
    """A workstream typed that the network does not have; the message names the closest ones."""


def find_workstream(tx: Any, text: str) -> str:
    """The id of the workstream ``text`` names: its id in any case, spacing or hyphens (``ws1``, ``WS-1``),
    or its name (any case or accents); else :class:`UnknownWorkstream` with "did you mean ...?"."""
    import difflib

    from graphapp.ingest.plan import name_key
    from graphapp.ingest.records import workstream_key
    from graphapp.queries.members import workstream_list

    known = {w["id"]: w["name"] or "" for w in workstream_list(tx)}
    for wid, name in known.items():
        if workstream_key(wid) == workstream_key(text) or (name and name_key(name) == name_key(text)):
            return str(wid)
    spellings = {workstream_key(wid): wid for wid in known} | {name_key(n): w for w, n in known.items() if n}
    close = difflib.get_close_matches(name_key(text), list(spellings), n=3, cutoff=0.6)
    close += difflib.get_close_matches(workstream_key(text), list(spellings), n=3, cutoff=0.6)
    near = list(dict.fromkeys(spellings[c] for c in close))[:3]
    if near:
        hint = " Did you mean " + " or ".join(f"{w} ({known[w]})" if known[w] else w for w in near) + "?"
    else:
        hint = f" The workstreams are {', '.join(sorted(known))}." if known else " The network has none yet."
    raise UnknownWorkstream(f"'{text}' is not a workstream of the network.{hint}")


def _workstream_id(store: Store, text: str | None) -> str | None:
    """The id of the workstream a ``--workstream`` option or argument names (id in any case, or name)."""
    if not text:
        return None
    try:
        return store.read(find_workstream, text)
    except UnknownWorkstream as e:
        raise Failure(str(e)) from e


# --- graphapp resources (issue 14 §4: shared resources; graphapp.library) ---------------------------------


@cli.group()
def resources() -> None:
    """Shared resources: documents, code repositories, courses and recordings, by their public links."""


@resources.command("list")
@click.option("--topic", help="Only those on this topic (its name, an alias or its id; any case).")
@click.option("--json", "as_json", is_flag=True, help="Print the resources as JSON.")
def resources_list(topic: str | None, as_json: bool) -> None:
    """Every resource (or a topic's), newest first: title, kind, language, link, topics, who shared it."""
    from graphapp.library import language_name
    from graphapp.queries.library import resources_of

    with _opened(reading=True) as store:
        found = store.read(resources_of, topic=_topic_id(store, topic))
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    for r in found:
        by = f"shared by {r['shared_by']['name']}" if r["shared_by"] else "added"
        topics = ", ".join(t["name"] for t in r["topics"])
        click.echo(f"{r['title']} [{r['kind']}, {language_name(r['language'])}] {r['url']}")
        click.echo(f"    {topics}; {by}, {r['shared_at'] or r['added']}")
    click.echo(f"{len(found)} {'resource' if len(found) == 1 else 'resources'}", err=True)


def main() -> None:
    cli(prog_name="graphapp")


if __name__ == "__main__":
    main()
