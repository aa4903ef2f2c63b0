"""`graphapp serve` with a thread that delivers the mail queue every half second, as the server's own mail
worker would: run as ``python -m tests.browser.serve_with_mail serve --port N``.

The browser tests need the mails of a running site delivered while it runs; on the embedded file no other
process may open the store meanwhile, so the delivery runs inside the serving process, through
:func:`graphapp.mail.deliver_queued`, the same function ``graphapp mail send-queued`` is meant to call.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import graphapp
from graphapp.db import get_store
from graphapp.mail import deliver_queued

_create_app = graphapp.create_app


def create_app(*args: Any, **kwargs: Any) -> Any:
    app = _create_app(*args, **kwargs)

    def deliver() -> None:
        while True:
            time.sleep(0.5)
            try:
                with app.app_context():
                    deliver_queued(get_store(), app.config)
            except Exception:  # (keep delivering; the log says what went wrong)
                logging.exception("delivering the mail queue")

    threading.Thread(target=deliver, name="graphapp-mail", daemon=True).start()
    return app


graphapp.create_app = create_app  # (graphapp serve imports create_app when it runs)

if __name__ == "__main__":
    from graphapp.cli import main

    main()
