"""gunicorn settings for a web node: `gunicorn -c python:shezhi.gunicorn_conf shezhi.wsgi`.

With several workers, /metrics adds up every worker's counts (prometheus_client's multiprocess
mode): SHEZHI_METRICS_DIR names a folder for this node alone; it is emptied when the node starts
and a dead worker's gauges are dropped. Other gunicorn options come from the command line or
GUNICORN_CMD_ARGS (--bind, --workers, --timeout …).
"""

import os
import shutil
from pathlib import Path

_metrics_dir = os.environ.get("SHEZHI_METRICS_DIR", "").strip()
if _metrics_dir:
    # Before anything imports prometheus_client: it picks its value store when first imported,
    # and the workers inherit the master's choice.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

# Access lines go to the JSON/text logs through Django (shezhi.request); gunicorn's own errors
# to stderr.
errorlog = "-"


def on_starting(server: object) -> None:
    """A fresh count per start: files left by an earlier run would be added up forever."""
    if _metrics_dir:
        folder = Path(_metrics_dir)
        if folder.is_dir():
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
