"""Problems found in input files, each pinned to file, row, column and value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


class Reason(str):
    """Why a value is refused: English as a string (what the CLI and the API show), and its message with
    its parameters kept apart, so a page can say it in the reader's language (``graphapp.uploads``).

    The importer knows no language and imports nothing from Flask; ``reason`` marks the message for the
    catalogue (``devtools.i18n`` extracts its first argument) and fills it in English.

    >>> r = reason("is not one of %(allowed)s", allowed="expert, learning")
    >>> print(r)
    is not one of expert, learning
    >>> r.message, dict(r.params)
    ('is not one of %(allowed)s', {'allowed': 'expert, learning'})
    """

    message: str
    params: Mapping[str, object]

    def __new__(cls, message: str, params: Mapping[str, object] | None = None) -> Reason:
        self = super().__new__(cls, message % dict(params) if params else message)
        self.message = message
        self.params = dict(params or {})
        return self

    def given(self, **params: object) -> Reason:
        """The same message with ``params``: for a reason written once, as a template, and filled where
        it is used.

        >>> print(reason("is the same topic as %(file)s %(row)s").given(file="t.csv", row="row 2"))
        is the same topic as t.csv row 2
        """
        return Reason(self.message, params)

    def __reduce__(self) -> tuple[type[Reason], tuple[str, dict[str, object]]]:
        return (Reason, (self.message, dict(self.params)))


def reason(message: str, **params: object) -> Reason:
    """A reason whose ``message`` is a whole English sentence with named ``%(name)s`` placeholders (never a
    sentence glued from pieces: word order differs in French and Russian). Numbers and names go in
    ``params``; the page translates ``message`` and fills the same parameters.

    A page also says some parameters in its reader's words (``graphapp.uploads.said``): names offered as
    :class:`Either` are joined with the reader's "or"; a parameter named ``row`` ("row 4", "item 3") is
    said in the reader's words, and one named ``stage`` or ``earlier`` (a stage of the journey) too.

    >>> print(reason("is the same member as %(file)s %(row)s", file="m.csv", row="row 2"))
    is the same member as m.csv row 2
    """
    return Reason(message, params)


class Either(tuple[str, ...]):
    """Names a reason offers as alternatives ("did you mean 'a' or 'b'?"), each as it is shown (quoted):
    joined with "or" in English, and with the reader's own word on a page.

    >>> print(reason("did you mean %(names)s?", names=Either(["'record linkage'", "'RL'"])))
    did you mean 'record linkage' or 'RL'?
    """

    def __str__(self) -> str:
        return " or ".join(self)


@dataclass(frozen=True, order=True)
class Problem:
    """One reason to reject an import.

    >>> print(Problem("members.csv", "row 4", "email", "ana@", "is not an email address"))
    members.csv, row 4, column 'email': 'ana@' is not an email address
    """

    file: str
    row: str  # "row 4" (spreadsheets, CSV: the row number a spreadsheet shows), "item 3" (JSON), or ""
    column: str
    value: str
    reason: str
    #: The closest names a person may have meant ("did you mean ...?"), for forms to offer as choices.
    suggestions: tuple[str, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.file, self.row) if part)
        column = f", column '{self.column}'" if self.column else ""
        value = f"{self.quoted_value()} " if self.value else ""
        return f"{where}{column}: {value}{self.reason}"

    def quoted_value(self) -> str:
        """The value as a problem shows it: quoted, and shortened if long ('' if there is none)."""
        return repr(_shorten(self.value)) if self.value else ""

    def with_suggestions(self, names: list[str]) -> Problem:
        """The same problem, offering ``names`` as what was meant."""
        return Problem(self.file, self.row, self.column, self.value, self.reason, tuple(names))


def _shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class ImportRejected(Exception):
    """The input has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=_problem_order)
        super().__init__(self.report())

    def report(self, limit: int = 50) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        n = len(self.problems)
        header = f"import rejected: {n} problem{'s' if n != 1 else ''}; nothing was written"
        return "\n".join([header, *lines])


def _problem_order(p: Problem) -> tuple[str, int, str, str]:
    number = int(p.row.split()[-1]) if p.row and p.row.split()[-1].isdigit() else 0
    return (p.file, number, p.column, p.reason)
