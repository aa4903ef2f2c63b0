"""The Generic Statistical Business Process Model (GSBPM 5.1, UNECE 2019): the phase and sub-process a
project serves (a Project's ``domain``), so that imports and forms accept "5.4", "5.4 Edit and impute" or
"edit and impute" alike and pages show the name.
"""

from __future__ import annotations

from collections.abc import Callable

from graphapp.ingest.normalise import topic_key

__all__ = ["PHASES", "SUB_PROCESSES", "domain_code", "domain_name"]


def _l(name: str) -> str:
    """Marks a name for the translation catalogues (``pybabel extract`` finds ``_l``, as in the web
    layer); it stays English here, as imports read it, and a page translates it when it shows it
    (:func:`domain_name` with the page's ``gettext``): ``ingest`` knows no Flask."""
    return name


#: The eight phases, by number.
PHASES: dict[str, str] = {
    "1": _l("Specify needs"),
    "2": _l("Design"),
    "3": _l("Build"),
    "4": _l("Collect"),
    "5": _l("Process"),
    "6": _l("Analyse"),
    "7": _l("Disseminate"),
    "8": _l("Evaluate"),
}

#: The sub-processes, by code, in the model's order.
SUB_PROCESSES: dict[str, str] = {
    "1.1": _l("Identify needs"),
    "1.2": _l("Consult and confirm needs"),
    "1.3": _l("Establish output objectives"),
    "1.4": _l("Identify concepts"),
    "1.5": _l("Check data availability"),
    "1.6": _l("Prepare and submit business case"),
    "2.1": _l("Design outputs"),
    "2.2": _l("Design variable descriptions"),
    "2.3": _l("Design collection"),
    "2.4": _l("Design frame and sample"),
    "2.5": _l("Design processing and analysis"),
    "2.6": _l("Design production systems and workflow"),
    "3.1": _l("Reuse or build collection instruments"),
    "3.2": _l("Reuse or build processing and analysis components"),
    "3.3": _l("Reuse or build dissemination components"),
    "3.4": _l("Configure workflows"),
    "3.5": _l("Test production systems"),
    "3.6": _l("Test statistical business process"),
    "3.7": _l("Finalise production systems"),
    "4.1": _l("Create frame and select sample"),
    "4.2": _l("Set up collection"),
    "4.3": _l("Run collection"),
    "4.4": _l("Finalise collection"),
    "5.1": _l("Integrate data"),
    "5.2": _l("Classify and code"),
    "5.3": _l("Review and validate"),
    "5.4": _l("Edit and impute"),
    "5.5": _l("Derive new variables and units"),
    "5.6": _l("Calculate weights"),
    "5.7": _l("Calculate aggregates"),
    "5.8": _l("Finalise data files"),
    "6.1": _l("Prepare draft outputs"),
    "6.2": _l("Validate outputs"),
    "6.3": _l("Interpret and explain outputs"),
    "6.4": _l("Apply disclosure control"),
    "6.5": _l("Finalise outputs"),
    "7.1": _l("Update output systems"),
    "7.2": _l("Produce dissemination products"),
    "7.3": _l("Manage release of dissemination products"),
    "7.4": _l("Promote dissemination products"),
    "7.5": _l("Manage user support"),
    "8.1": _l("Gather evaluation inputs"),
    "8.2": _l("Conduct evaluation"),
    "8.3": _l("Agree an action plan"),
}

_BY_NAME = {topic_key(name): code for code, name in (*SUB_PROCESSES.items(), *PHASES.items())}


def domain_code(text: str) -> str | None:
    """The GSBPM code that ``text`` names (a sub-process or a phase, by code, name or both), or None.

    >>> domain_code("5.4"), domain_code("5.4 Edit and impute"), domain_code("edit & impute")
    ('5.4', '5.4', '5.4')
    >>> domain_code("Phase 5"), domain_code("Process"), domain_code("5")
    ('5', '5', '5')
    >>> domain_code("9.9") is None and domain_code("cooking") is None and domain_code("5.4 Design") is None
    True
    """
    text = text.strip()
    head = text.split(maxsplit=1)[0].rstrip(".:") if text else ""
    if head in SUB_PROCESSES or head in PHASES:
        rest = text[len(head) :].strip(" .:-")
        return head if not rest or _BY_NAME.get(topic_key(rest)) == head else None
    key = topic_key(text)
    if key.startswith("phase "):
        number = key.removeprefix("phase ")
        return number if number in PHASES else None
    return _BY_NAME.get(key)


def domain_name(code: str, translate: Callable[[str], str] = str) -> str:
    """How a page shows a GSBPM code: "5.4 Edit and impute", "5 Process" (an unknown code as it is), the
    name passed through ``translate`` (a page gives its ``gettext``, for the reader's language).

    >>> domain_name("5.4"), domain_name("5"), domain_name("x"), domain_name("5", str.upper)
    ('5.4 Edit and impute', '5 Process', 'x', '5 PROCESS')
    """
    name = SUB_PROCESSES.get(code) or PHASES.get(code)
    return f"{code} {translate(name)}" if name else code
