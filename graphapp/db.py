"""The store's lifecycle in the web app: one store (one Neo4j driver) per process, opened on first use."""

from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from graphapp.store import Store, open_store
from queries.schema import create_schema

_lock = threading.Lock()
KEY = "graphapp.store"


def get_store() -> Store:
    """The app's store, opened on first use and shared by every request of this process."""
    app = current_app
    store = app.extensions.get(KEY)
    if store is None:
        with _lock:
            store = app.extensions.get(KEY)
            if store is None:
                store = open_store(app.config)
                create_schema(store)  # idempotent; a fresh embedded file gets its tables
                app.extensions[KEY] = store
                atexit.register(store.close)
    return store


def init_app(app: Flask) -> None:
    app.extensions.setdefault(KEY, None)
