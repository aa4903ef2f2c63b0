"""From files to validated records to one batched write: the import path, with no Flask in it.

``read_files`` turns CSV, XLSX and JSON files into raw rows that remember where they came from;
``plan_import`` validates them against each other and against what the graph already holds and works
out exactly what would be created, changed and removed; ``apply_plan`` writes that, in the same
transaction. Any problem anywhere rejects the whole import, with every problem listed.
"""

from graphapp.ingest.plan import Plan, import_files, plan_import
from graphapp.ingest.problems import ImportRejected, Problem
from graphapp.ingest.readers import KINDS, Table, read_files

__all__ = ["KINDS", "ImportRejected", "Plan", "Problem", "Table", "import_files", "plan_import", "read_files"]
