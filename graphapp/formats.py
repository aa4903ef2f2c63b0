"""The contact-map export formats, in one table: each one's name, media type, file extension and what it
is for. Light on purpose (no drawing library), so that the ``graphapp`` command's ``--help`` stays quick;
:mod:`graphapp.exports` attaches a writer to each, and refuses to load if one has none.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXPORT_FORMATS", "ExportFormat"]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    extension: str
    description: str


#: Every export format, in the order pages and ``--help`` list them.
EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", "text/csv; charset=utf-8", "csv", "spreadsheet of people"),
        ExportFormat(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            "spreadsheet of people, in your language (XLSX)",
        ),
        ExportFormat("vcf", "text/vcard; charset=utf-8", "vcf", "address book (vCard 4.0)"),
        ExportFormat("gexf", "application/gexf+xml", "gexf", "Gephi, Gephi Lite (GEXF 1.3)"),
        ExportFormat("graphml", "application/graphml+xml", "graphml", "Cytoscape, yEd, Gephi (GraphML)"),
        ExportFormat("cyjs", "application/json", "cyjs", "Cytoscape.js JSON"),
        ExportFormat("html", "text/html; charset=utf-8", "html", "network that works offline (HTML)"),
        ExportFormat("png", "image/png", "png", "picture for slides (PNG)"),
        ExportFormat("svg", "image/svg+xml", "svg", "picture for slides (SVG)"),
    )
}
