"""Analytics: pure functions over the graph's rows, with no Flask and no Cypher in them.

Each module does one job: the interest index (``interest_index``), scoring suggestions (``suggestions``),
finding coverage gaps (``coverage``), brokers (``brokers``), clusters of interest (``clusters``), the
contact map's layout; each takes plain data or a networkx graph and returns plain data.
:mod:`graphapp.reports` reads the rows in a transaction and calls them.
"""
