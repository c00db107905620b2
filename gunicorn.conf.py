"""gunicorn settings for the Procfile; every value comes from an environment variable.

The master process checks the configuration and the pack, and fills the disk cache, before it
starts any worker: a bad setting or a damaged pack stops start-up once, with a message naming the
variable or file, and every worker then starts from the warm cache.
"""

import os
import sys

# A platform's router or a container's port mapping reaches the app from outside, so listen on
# every interface by default; set DASHBOARD_HOST=127.0.0.1 behind a proxy on the same machine.
host = os.environ.get("DASHBOARD_HOST", "0.0.0.0")  # nosec B104
bind = f"{host}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, min(8, os.cpu_count() or 2))))
# Threads let a worker stream a map file or an export while another request computes.
worker_class = "gthread"
threads = int(os.environ.get("DASHBOARD_THREADS", "4"))
timeout = int(os.environ.get("DASHBOARD_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so per-process memos (balances, scenario shapes) stay bounded.
max_requests = int(os.environ.get("DASHBOARD_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
accesslog = "-" if os.environ.get("DASHBOARD_ACCESS_LOG", "1") != "0" else None
errorlog = "-"
wsgi_app = "dashboard.app:server()"


def on_starting(server):
    """Fail fast, once, on a bad setting or pack, and warm the cache for the workers."""
    from dashboard.app import check_start
    from dashboard.errors import DashboardError

    try:
        for line in check_start():
            server.log.info(line)
    except DashboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
