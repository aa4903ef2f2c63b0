"""Survey exports of the shapes the common tools write (fictional people, example.org addresses), and the
network they are imported into, for the survey tests (issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from devtools.spreadsheets import write_csv

#: The example survey export and its mapping, documented in docs/import-formats.md.
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
EXAMPLE_SURVEY = EXAMPLES / "survey.csv"
EXAMPLE_MAPPING = EXAMPLES / "survey-mapping.json"

ORGANISATIONS = [
    {"id": "cbs", "name": "Statistics Netherlands", "kind": "NSO", "country": "NLD", "aliases": "CBS"},
    {"id": "insee", "name": "INSEE", "kind": "NSO", "country": "FRA", "aliases": ""},
    {"id": "rosstat", "name": "Rosstat", "kind": "NSO", "country": "RUS", "aliases": "Росстат"},
]
TOPICS = [
    {"name": "record linkage", "aliases": "entity resolution; couplage d'enregistrements"},
    {"name": "satellite imagery", "aliases": "imagerie satellitaire; спутниковые снимки"},
    {"name": "large language models", "aliases": "LLM; grands modèles de langage"},
    {"name": "natural language processing", "aliases": "NLP; обработка естественного языка"},
]
WORKSTREAMS = [{"id": "WS1", "name": "ML studies toward production", "description": "", "covers": ""}]


def network_files(folder: Path) -> list[Path]:
    """The organisations, topics and workstreams a survey's answers name."""
    return [
        write_csv(folder / "organisations.csv", ORGANISATIONS),
        write_csv(folder / "topics.csv", TOPICS),
        write_csv(folder / "workstreams.csv", WORKSTREAMS),
    ]


def write_xlsx_with_title_rows(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    """An XLSX export as the tools write one: two title rows merged across the header, a blank row, the
    questions on row 4, the answers below."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Réponses"
    sheet.append(["Enquête sur l'apprentissage automatique 2026 / Опрос 2026"])
    sheet.append(["Exporté le 2026-03-10"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    workbook.save(path)
    return path


#: The questions of an office questionnaire in French and Russian, exported to XLSX.
FR_RU_HEADER = [
    "Horodateur",
    "Nom et prénom / ФИО",
    "Adresse courriel / Электронная почта",
    "Organisation / Организация",
    "Pays / Страна",
    "Sujets (plusieurs réponses possibles) / Темы",
    "Votre expérience des grands modèles de langage ? / Ваш опыт с большими языковыми моделями?",
]
FR_RU_ROWS: list[list[Any]] = [
    [
        "2026-03-04 09:00",
        "Élodie Exemple",
        "elodie.exemple@example.org",
        "INSEE",
        "France",
        "couplage d'enregistrements, imagerie satellitaire",
        "Débutant",
    ],
    [
        "2026-03-04 09:30",
        "Ирина Примерова",
        "irina.primerova@example.org",
        "Росстат",
        "Российская Федерация",
        "обработка естественного языка",
        "Руковожу проектами",
    ],
    ["2026-03-04 10:00", "Jean Modèle", "jean.modele@example.org", "INSEE", "Allemagne", "", ""],
]
FR_RU_MAPPING: dict[str, Any] = {
    "name": "Questionnaire des bureaux",
    "header_row": 4,
    "columns": [
        {"question": FR_RU_HEADER[0], "field": "ignore"},
        {"question": FR_RU_HEADER[1], "field": "name"},
        {"question": FR_RU_HEADER[2], "field": "email"},
        {"question": FR_RU_HEADER[3], "field": "organisation"},
        {"question": FR_RU_HEADER[4], "field": "country"},
        {"question": FR_RU_HEADER[5], "field": "topics", "separator": ","},
        {"question": FR_RU_HEADER[6], "field": "topic_level", "topic": "large language models"},
    ],
    "values": {},
}
