"""The store's lifecycle in the web app: one store (one Neo4j driver) per process, opened on first use."""

from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from graphapp.queries.schema import create_schema
from graphapp.store import Store, open_store

_lock = threading.Lock()
KEY = "graphapp.store"
READY = "graphapp.schema_ready"


def get_store() -> Store:
    """The app's store, opened on first use and shared by every request of this process.

    The schema is created (idempotently) on first use too; if the database is down then, the store is kept
    and the next request tries again, so the app recovers by itself once the database is back.
    """
    app = current_app
    store = app.extensions.get(KEY)
    if store is None or not app.extensions.get(READY):
        with _lock:
            store = app.extensions.get(KEY)
            if store is None:
                store = open_store(app.config)
                app.extensions[KEY] = store
                atexit.register(store.close)
            if not app.extensions.get(READY):
                create_schema(store)  # a fresh embedded file gets its tables here
                app.extensions[READY] = True
    return store


def init_app(app: Flask) -> None:
    app.extensions.setdefault(KEY, None)
