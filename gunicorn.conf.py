"""gunicorn settings for the Procfile; every value comes from an environment variable.

The master process checks the configuration and the pack, and fills the disk cache, before it
starts any worker: a bad setting or a damaged pack stops start-up once, with a message naming the
variable or file, and every worker then starts from the warm cache.
"""

import sys

from dashboard.config import ConfigError, ServerSettings

try:
    _settings = ServerSettings.from_env()
except ConfigError as exc:  # one line, not a traceback, and no worker is started
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(2)

# A platform's router or a container's port mapping reaches the app from outside, so listen on
# every interface by default; set DASHBOARD_HOST=127.0.0.1 behind a proxy on the same machine.
bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
# Threads let a worker stream a map file or an export while another request computes.
worker_class = "gthread"
threads = _settings.threads
timeout = _settings.timeout
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so per-process memos (balances, scenario shapes) stay bounded.
max_requests = _settings.max_requests
max_requests_jitter = max_requests // 10
accesslog = "-" if _settings.access_log else None
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
