"""Production server settings: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Threads, not processes, serve the requests: a worker cleans one photo at a time (a process-wide
lock in app/activities/evidence.py) while its other threads keep answering, so a few large
uploads neither starve /healthz nor take more than one photo's memory per worker (at most
300 MB over the worker's own size). Override the address with ``-b`` or GUNICORN_BIND.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = 2
worker_class = "gthread"
threads = 4
# A request that cleans many photos takes its time; the worker itself stays responsive.
timeout = 60
