"""Analytics: pure functions over the graph's rows, with no Flask and no Cypher in them.

Each module does one job (scoring suggestions, finding coverage gaps, brokers, clusters, the contact map's
layout); each takes plain data or a networkx graph and returns plain data.
"""
