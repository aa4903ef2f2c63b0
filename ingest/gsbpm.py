"""The Generic Statistical Business Process Model (GSBPM 5.1, UNECE 2019): the phase and sub-process a
project serves (a Project's ``domain``), so that imports and forms accept "5.4", "5.4 Edit and impute" or
"edit and impute" alike and pages show the name.
"""

from __future__ import annotations

from graphapp.ingest.normalise import topic_key

__all__ = ["PHASES", "SUB_PROCESSES", "domain_code", "domain_name"]

#: The eight phases, by number.
PHASES: dict[str, str] = {
    "1": "Specify needs",
    "2": "Design",
    "3": "Build",
    "4": "Collect",
    "5": "Process",
    "6": "Analyse",
    "7": "Disseminate",
    "8": "Evaluate",
}

#: The sub-processes, by code, in the model's order.
SUB_PROCESSES: dict[str, str] = {
    "1.1": "Identify needs",
    "1.2": "Consult and confirm needs",
    "1.3": "Establish output objectives",
    "1.4": "Identify concepts",
    "1.5": "Check data availability",
    "1.6": "Prepare and submit business case",
    "2.1": "Design outputs",
    "2.2": "Design variable descriptions",
    "2.3": "Design collection",
    "2.4": "Design frame and sample",
    "2.5": "Design processing and analysis",
    "2.6": "Design production systems and workflow",
    "3.1": "Reuse or build collection instruments",
    "3.2": "Reuse or build processing and analysis components",
    "3.3": "Reuse or build dissemination components",
    "3.4": "Configure workflows",
    "3.5": "Test production systems",
    "3.6": "Test statistical business process",
    "3.7": "Finalise production systems",
    "4.1": "Create frame and select sample",
    "4.2": "Set up collection",
    "4.3": "Run collection",
    "4.4": "Finalise collection",
    "5.1": "Integrate data",
    "5.2": "Classify and code",
    "5.3": "Review and validate",
    "5.4": "Edit and impute",
    "5.5": "Derive new variables and units",
    "5.6": "Calculate weights",
    "5.7": "Calculate aggregates",
    "5.8": "Finalise data files",
    "6.1": "Prepare draft outputs",
    "6.2": "Validate outputs",
    "6.3": "Interpret and explain outputs",
    "6.4": "Apply disclosure control",
    "6.5": "Finalise outputs",
    "7.1": "Update output systems",
    "7.2": "Produce dissemination products",
    "7.3": "Manage release of dissemination products",
    "7.4": "Promote dissemination products",
    "7.5": "Manage user support",
    "8.1": "Gather evaluation inputs",
    "8.2": "Conduct evaluation",
    "8.3": "Agree an action plan",
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


def domain_name(code: str) -> str:
    """How a page shows a GSBPM code: "5.4 Edit and impute", "5 Process" (an unknown code as it is).

    >>> domain_name("5.4"), domain_name("5"), domain_name("x")
    ('5.4 Edit and impute', '5 Process', 'x')
    """
    name = SUB_PROCESSES.get(code) or PHASES.get(code)
    return f"{code} {name}" if name else code
