"""The pages, on one blueprint named "pages" (so every endpoint is ``pages.<view>``, as
:data:`graphapp.auth.ACCESS` and the templates name them), one module per job:

- :mod:`~graphapp.pages.home`: the home page: the parts of each role's work, and the network at a glance;
- :mod:`~graphapp.pages.directory`: the member directory and a member's profile;
- :mod:`~graphapp.pages.entities`: the lists of organisations, topics, workstreams and places, and the page
  of each organisation, topic, workstream, country and region;
- :mod:`~graphapp.pages.coverage`: the coverage dashboard and its heat map;
- :mod:`~graphapp.pages.explorer`: the network explorer;
- :mod:`~graphapp.pages.mail`: a member's mail preferences, and the admins' mail page;
- :mod:`~graphapp.pages.join`: asking to join, confirming by mail, the coordinators' queue, trusted domains;
- :mod:`~graphapp.pages.mydata`: "my data", and the signed-in member's consent and erasure;
- :mod:`~graphapp.pages.vendor`: vis-network's files, served from the copy graphapp ships;
- :mod:`~graphapp.pages.asks`: asks (issues to discuss), who can help, offers;
- :mod:`~graphapp.pages.introductions`: introductions between members, with consent on both sides;
- :mod:`~graphapp.pages.history`: the history of every change, its CSV, and a member's own history;
- :mod:`~graphapp.pages.freshness`: a reminder's page (confirm a profile, renew consent), stale profiles;
- :mod:`~graphapp.pages.vocabulary`: the coordinators' pages that keep the topics and organisations;
- :mod:`~graphapp.pages.links`: the address of the page of each kind of node and gap;
- :mod:`~graphapp.pages.areas`: the competence areas, and the coordinators' taxonomy import;
- :mod:`~graphapp.pages.workstreams`: a workstream's page, with its projects by stage and progress notes.
- :mod:`~graphapp.pages.library`: shared resources (documents, code, courses, recordings), and their form.
- :mod:`~graphapp.pages.projects`: projects at a stage of the journey: the list, a project, its form.
- :mod:`~graphapp.pages.rollup`: coverage by competence area and region.
- :mod:`~graphapp.pages.survey`: a survey tool's export imported through a mapping (issue 16).

Each view parses the request, reads what it shows in one transaction (a read function named after the
page, ``fn(tx, ...)``, which composes the query functions), and renders.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)

# Each module adds its routes to bp (after bp exists: they import it from here).
from graphapp.pages import (  # noqa: E402
    areas,
    asks,
    coverage,
    directory,
    entities,
    explorer,
    freshness,
    growth,
    history,
    home,
    introductions,
    join,
    journey,
    library,
    mail,
    mydata,
    projects,
    proposals,
    rollup,
    survey,
    vendor,
    vocabulary,
    workstreams,
)

__all__ = [
    "areas",
    "asks",
    "bp",
    "coverage",
    "directory",
    "entities",
    "explorer",
    "history",
    "growth",
    "freshness",
    "home",
    "introductions",
    "join",
    "journey",
    "library",
    "mail",
    "mydata",
    "projects",
    "proposals",
    "rollup",
    "survey",
    "vendor",
    "vocabulary",
    "workstreams",
]
