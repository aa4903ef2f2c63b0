"""The app for a WSGI server other than ``graphapp serve``: ``gunicorn graphapp.wsgi:app``,
``waitress-serve graphapp.wsgi:app``, mod_wsgi, uWSGI... It reads its settings from the environment
and starts preparing its caches at once (``GRAPHAPP_WARM_UP``; see docs/deploying.md)."""

from graphapp import create_app

app = create_app(warm_up=True)
