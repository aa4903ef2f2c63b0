"""Tools for developing graphapp, shared by the tests and the benchmarks; not part of the wheel.

- :mod:`devtools.neo4j_harness` starts a throwaway Neo4j 5.26 on a free loopback port.
- :mod:`devtools.chromium` starts Debian's headless Chromium through Selenium.
- :mod:`devtools.spreadsheets` writes member files the way a coordinator's spreadsheet would.
"""
