"""Write graphapp's shipped competence taxonomy, ``graphapp/data/taxonomy/edsf.csv``, from the EDISON Data
Science Competence Framework's spreadsheet (sheet ``DS Comp Enum - Rel 2v02``: 5 competence groups of 6
competences each).

    python -m devtools.edsf_taxonomy [SPREADSHEET] [OUT]

One area per competence group (id ``dsda``...) and per competence (id ``dsda01``..., broader: its group),
with a short name written by hand here and the EDSF's own text as the description; the ``topics`` column
places the demo's topics. Says what it skipped of the sheet, and why. The EDSF is © the EDISON community
(Apache License 2.0; its documents CC BY 4.0): keep NOTICE.md and LICENSE beside the file.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import openpyxl

#: Where the issue keeps it: ../shared/data/edsf/ beside the checkout (give another path as the first argument).
SPREADSHEET = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "edsf" / "edsf02-cf-comp-skills-v05wsh.xlsx"
)
OUT = Path(__file__).resolve().parents[1] / "graphapp" / "data" / "taxonomy" / "edsf.csv"
SHEET = "DS Comp Enum - Rel 2v02"
SOURCE = (
    "EDISON Data Science Competence Framework (CF-DS, EDSF release 4), © EDISON community, "
    "CC BY 4.0 / Apache License 2.0; short names and topic mapping by graphapp"
)

#: The groups, in the framework's order, with the short names graphapp gives them. The sheet codes the
#: fifth group DSDK (domain knowledge) but its competences DSBA (applied to business analytics): the
#: competences' code is used, so that each competence's id starts with its group's.
GROUPS = {
    "DSDA": "Data Science Analytics",
    "DSENG": "Data Science Engineering",
    "DSDM": "Data Management",
    "DSRMP": "Research Methods and Project Management",
    "DSBA": "Domain Knowledge: Business Analytics",
}
GROUP_CODES = {"DSDK": "DSBA"}

#: Short names for the competences, written for graphapp (the EDSF gives each a sentence, kept as the
#: description).
COMPETENCES = {
    "DSDA01": "Data analytics techniques",
    "DSDA02": "Quantitative and statistical modelling",
    "DSDA03": "Finding and combining data sources",
    "DSDA04": "Model validation and performance metrics",
    "DSDA05": "Analytics in organisational processes",
    "DSDA06": "Visualisation and storytelling",
    "DSENG01": "Engineering data applications",
    "DSENG02": "Big data and cloud analytics platforms",
    "DSENG03": "Analysis tools and infrastructures",
    "DSENG04": "Large scale data storage and processing",
    "DSENG05": "Data security and privacy protection",
    "DSENG06": "Databases and data warehouses",
    "DSDM01": "Data strategy and management plans",
    "DSDM02": "Data models and metadata",
    "DSDM03": "Data integration",
    "DSDM04": "Data provenance",
    "DSDM05": "Data quality and curation",
    "DSDM06": "Data protection, ethics and IPR policies",
    "DSRMP01": "Research methods",
    "DSRMP02": "Systematic study",
    "DSRMP03": "Research questions and hypotheses",
    "DSRMP04": "Creative and experimental work",
    "DSRMP05": "Experiment design",
    "DSRMP06": "Managing data driven projects",
    "DSBA01": "Information needs and new data",
    "DSBA02": "Performance indicators",
    "DSBA03": "Business analysis and intelligence",
    "DSBA04": "Using historical data",
    "DSBA05": "Customer and user relations data",
    "DSBA06": "Marketing analytics",
}

#: The demo's topics (graphapp/data/demo/topics.csv) placed in competences. This mapping is graphapp's,
#: not EDISON's: a judgement of where each topic of machine learning in official statistics fits best.
TOPICS = {
    "DSDA01": [
        "classification-and-coding",
        "natural-language-processing",
        "deep-learning",
        "large-language-models",
        "anomaly-detection",
        "reinforcement-learning",
        "federated-learning",
    ],
    "DSDA02": ["nowcasting", "small-area-estimation", "time-series", "geospatial-statistics"],
    "DSDA03": ["imagery-and-satellite-data", "web-scraped-data", "scanner-data", "mobile-phone-data"],
    "DSDA04": ["explainability", "model-monitoring-and-retraining"],
    "DSDA05": ["model-monitoring-and-retraining"],
    "DSDA06": ["data-visualisation"],
    "DSENG03": ["computing-infrastructure"],
    "DSENG05": ["privacy-preserving-computation", "security", "synthetic-data", "federated-learning"],
    "DSDM02": ["interoperability"],
    "DSDM03": ["record-linkage"],
    "DSDM05": ["edit-and-imputation", "training-data", "quality-frameworks"],
    "DSDM06": ["ethics", "legal-frameworks"],
    "DSRMP05": ["causal-inference"],
    "DSRMP06": ["skills-and-training", "sharing-and-collaboration"],
}

_CODE = re.compile(r"^(DS[A-Z]+?)(\d\d)?$")


def _text(value: object) -> str:
    """A cell's text with the non-breaking spaces and runs of spaces the sheet holds made plain."""
    return " ".join(str(value or "").replace("\xa0", " ").split())


def read_sheet(path: Path) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The groups' and competences' texts by code, and what was skipped (a line each, with why)."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    groups: dict[str, str] = {}
    competences: dict[str, str] = {}
    skipped: list[str] = []
    for number, row in enumerate(book[SHEET].iter_rows(values_only=True), start=1):
        cells = [_text(c) for c in row]
        if not any(cells):
            skipped.append(f"row {number}: blank")
            continue
        found = False
        # Several groups sit side by side on one row: each as a (code, text) pair of columns.
        for i in range(0, len(cells) - 1, 2):
            code, text = cells[i], cells[i + 1]
            match = _CODE.match(code)
            if not match or not text:
                continue
            found = True
            group = GROUP_CODES.get(match.group(1), match.group(1))
            if match.group(2):
                competences[f"{group}{match.group(2)}"] = text
            else:
                groups[group] = text
        if not found:
            skipped.append(
                f"row {number}: no code in it (the group titles: {'; '.join(c for c in cells if c)})"
            )
    return groups, competences, skipped


def rows(groups: dict[str, str], competences: dict[str, str]) -> list[dict[str, str]]:
    """The taxonomy file's rows: each group, then its competences."""
    out = []
    for group, name in GROUPS.items():
        out.append(
            {"id": group.lower(), "name": name, "broader": "", "description": groups[group], "topics": ""}
        )
        for code in sorted(c for c in competences if re.fullmatch(rf"{group}\d\d", c)):
            out.append(
                {
                    "id": code.lower(),
                    "name": f"{code} {COMPETENCES[code]}",
                    "broader": group.lower(),
                    "description": competences[code],
                    "topics": "; ".join(TOPICS.get(code, [])),
                }
            )
    for row in out:
        row["source"] = SOURCE
    return out


def main(argv: list[str]) -> int:
    spreadsheet = Path(argv[0]) if argv else SPREADSHEET
    out = Path(argv[1]) if len(argv) > 1 else OUT
    groups, competences, skipped = read_sheet(spreadsheet)
    missing = [g for g in GROUPS if g not in groups] + [c for c in COMPETENCES if c not in competences]
    unnamed = [c for c in competences if c not in COMPETENCES]
    if missing or unnamed:
        print(f"the sheet lacks {missing or 'nothing'}; has unnamed {unnamed or 'nothing'}", file=sys.stderr)
        return 1
    written = rows(groups, competences)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "name", "broader", "description", "topics", "source"])
        writer.writeheader()
        writer.writerows(written)
    blank = sum(1 for s in skipped if s.endswith("blank"))
    print(f"wrote {out}: {len(groups)} groups, {len(competences)} competences", file=sys.stderr)
    print(f"skipped {blank} blank rows", file=sys.stderr)
    for line in skipped:
        if not line.endswith("blank"):
            print(f"skipped {line}", file=sys.stderr)
    print(
        "skipped the knowledge and skill sheets (KDSDA01..., SDSDA01...): graphapp's areas stop at the "
        "competences; topics stand in for the knowledge units",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
