"""gunicorn settings for a Shezhi web node (`gunicorn shezhi.wsgi -c deploy/gunicorn.conf.py`).

The systemd unit and scripts/stack.sh pass the address and the number of workers on the command
line; everything else a node needs behind nginx is here. Metrics of all workers add up through
SHEZHI_METRICS_DIR, one folder per node (shezhi/gunicorn_conf.py).
"""

from shezhi.gunicorn_conf import child_exit, errorlog, on_starting  # noqa: F401

# Threads serve the many short requests of phones; the app is loaded once before forking.
worker_class = "gthread"
workers = 2
threads = 4
preload_app = True
# nginx waits 60 s for an answer; a worker stuck longer is restarted.
timeout = 65
graceful_timeout = 20
keepalive = 30  # nginx keeps connections to the nodes open (upstream keepalive)
# Recycle workers now and then, so that a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
# Only nginx on this machine may set X-Forwarded-For / X-Forwarded-Proto.
forwarded_allow_ips = "127.0.0.1"
