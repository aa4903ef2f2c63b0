"""Property-based fuzzing of the import parsers (hypothesis): whatever bytes a file holds, reading it
either gives tables or refuses with problems that name the file; it never fails any other way.

Then whole imports of fuzzed member rows: all or nothing, on both stores.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphapp.ingest import ImportRejected, import_files
from graphapp.ingest.readers import COLUMNS, read_files

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

columns = st.lists(
    st.sampled_from([*COLUMNS["members"], "bogus", "", "Name ", "E-Mail"]), min_size=1, max_size=8
)
text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)


def _read(path: Path) -> None:
    try:
        tables = read_files([path])
    except ImportRejected as e:
        assert e.problems and all(p.file == path.name for p in e.problems)
        assert e.report()  # it can say what is wrong
    else:
        assert all(t.kind in ("members", "organisations", "topics", "workstreams") for t in tables)


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".json", ".xlsx", ".txt"]))
def test_any_bytes_are_read_or_refused_plainly(tmp_path_factory, data: bytes, suffix: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"file{suffix}"
    path.write_bytes(data)
    _read(path)


@FUZZ
@given(
    header=columns,
    rows=st.lists(st.lists(text, max_size=9), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]),
)
def test_any_csv_is_read_or_refused_plainly(tmp_path_factory, header, rows, delimiter, encoding) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("fuzz") / "members.csv"
    try:
        path.write_bytes(out.getvalue().encode(encoding))
    except UnicodeEncodeError:
        return  # latin-1 cannot hold the text; nothing to read
    _read(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(
    document=st.lists(st.dictionaries(st.sampled_from([*COLUMNS["members"], "x"]), json_values), max_size=5)
    | json_values
)
def test_any_json_is_read_or_refused_plainly(tmp_path_factory, document) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "members.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    _read(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "name": text,
                "email": st.one_of(text, st.emails()),
                "country": st.sampled_from(["NLD", "nl", "Atlantis", "", "UK"]),
                "topics": st.one_of(text, st.just("record linkage:expert; nlp:guru")),
            }
        ),
        min_size=1,
        max_size=5,
    )
)
def test_an_import_is_all_or_nothing(store, tmp_path_factory, rows) -> None:
    from tests.helpers import graph, write_csv

    before = graph(store)
    path = write_csv(tmp_path_factory.mktemp("fuzz") / "members.csv", rows)
    try:
        import_files(store, [path])
    except ImportRejected as e:
        assert e.problems
        assert graph(store) == before  # refused: nothing written
    else:
        after = graph(store)
        assert len(after["nodes"]["Member"]) >= len(before["nodes"]["Member"])
