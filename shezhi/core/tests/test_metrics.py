"""/metrics: requests by view and status with latency, readable only by the operator, added up
over several processes."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from shezhi.core.tests.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[3]


def _count(view: str, status: str, method: str = "GET") -> float:
    value = REGISTRY.get_sample_value(
        "shezhi_http_requests_total", {"view": view, "method": method, "status": status}
    )
    return value or 0.0


def _latency_count(view: str) -> float:
    value = REGISTRY.get_sample_value(
        "shezhi_http_request_duration_seconds_count", {"view": view, "method": "GET"}
    )
    return value or 0.0


def test_requests_are_counted_by_view_and_status_with_latency(client):
    before_ok, before_latency = _count("healthz", "200"), _latency_count("healthz")
    before_404 = _count("<unresolved>", "404")
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page/12345/")
    assert _count("healthz", "200") == before_ok + 2
    assert _latency_count("healthz") == before_latency + 2
    # Unmatched paths share one label: the path (with ids in it) never becomes a label.
    assert _count("<unresolved>", "404") == before_404 + 1


@pytest.mark.django_db
def test_a_view_is_labelled_by_its_url_name_not_its_path(client, world):
    client.force_login(world.alice)
    before = _count("api:need_list", "200")
    client.get("/api/v1/needs")
    client.get("/api/v1/needs?page=2")
    assert _count("api:need_list", "200") == before + 2


def _scrape(client, **extra):
    return client.get("/metrics", **extra)


def test_metrics_from_this_machine_directly(client, settings):
    settings.SHEZHI_METRICS_TOKEN = ""
    response = _scrape(client, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert {"shezhi_http_requests", "shezhi_http_request_duration_seconds"} <= names


def test_the_public_cannot_read_metrics(client, settings):
    settings.SHEZHI_METRICS_TOKEN = "scrape-token-123"
    # An outside address, and the public coming through nginx on this machine (loopback, but
    # with the proxy's forwarding header), are both refused without the token.
    assert _scrape(client, REMOTE_ADDR="10.1.2.3").status_code == 403
    assert (
        _scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 403
    )
    assert (
        _scrape(client, REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer wrong").status_code
        == 403
    )
    ok = _scrape(client, REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer scrape-token-123")
    assert ok.status_code == 200
    assert b"shezhi_http_requests_total" in ok.content


def test_a_custom_collector_in_the_default_registry_is_exported(client):
    from prometheus_client.core import GaugeMetricFamily

    class Queue:
        def collect(self):
            yield GaugeMetricFamily("shezhi_test_queue_length", "Tasks waiting.", value=7)

    collector = Queue()
    REGISTRY.register(collector)
    try:
        response = _scrape(client, REMOTE_ADDR="127.0.0.1")
    finally:
        REGISTRY.unregister(collector)
    assert b"shezhi_test_queue_length 7.0" in response.content


# --- several processes (gunicorn workers) ---------------------------------------------------


def _env(tmp_path: Path, metrics_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="shezhi.settings",
        SHEZHI_VAR_DIR=str(tmp_path / "var"),
        SHEZHI_METRICS_DIR=str(metrics_dir),
    )
    return env


def _healthz_total(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "shezhi_http_requests_total" and sample.labels["view"] == "healthz":
                return sample.value
    return 0.0


def test_gunicorn_workers_report_one_total(tmp_path):
    """A node as deploy/ runs it (the app preloaded in the master, then forked): gunicorn with
    shezhi.gunicorn_conf and two (sync) workers, each replaced
    after 6 requests, so the 12 probes are served by at least three processes (one worker takes
    at least 6 and is replaced). Whichever worker answers /metrics, it reports all 12, the
    replaced workers' included; counts left by an earlier run are gone."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_99999.db").write_bytes(b"left over from an earlier run")
    env = _env(tmp_path, metrics_dir)
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "python:shezhi.gunicorn_conf", "shezhi.wsgi"],
        env={
            **env,
            # A long worker timeout: the test machine may be busy; nothing here is timed.
            "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port} --workers 2 --max-requests 6"
            " --preload --timeout 600",
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, seconds=60)
        base = f"http://127.0.0.1:{port}"
        for _ in range(12):
            with urllib.request.urlopen(f"{base}/healthz", timeout=120) as response:
                assert response.status == 200
                assert response.headers["X-Request-ID"]
        totals = set()
        for _ in range(4):
            with urllib.request.urlopen(f"{base}/metrics", timeout=120) as response:
                text = response.read().decode()
            totals.add(_healthz_total(text))
            time.sleep(0.05)
        assert totals == {12.0}
        assert "shezhi_http_request_duration_seconds_bucket" in text
        assert "process_cpu_seconds_total" not in text  # one worker's figure would mislead
        assert not (metrics_dir / "counter_99999.db").exists()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_metrics_only_answer_reads(client):
    assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405


def test_in_multiprocess_mode_collectors_are_kept_and_one_process_figures_dropped(
    tmp_path, monkeypatch
):
    """With SHEZHI_METRICS_DIR the workers' files give the request counts; a collector such as
    the queue length still comes from the registry; process_* and python_* (one worker's own
    memory and CPU) would mislead and are left out."""
    from prometheus_client.core import GaugeMetricFamily

    from shezhi.core.metrics import exposition

    class Queue:
        def collect(self):
            yield GaugeMetricFamily("shezhi_test_queue_depth", "Tasks waiting.", value=3)

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    collector = Queue()
    REGISTRY.register(collector)
    try:
        text = exposition().decode()
    finally:
        REGISTRY.unregister(collector)
    assert "shezhi_test_queue_depth 3.0" in text
    assert "process_" not in text and "python_gc" not in text
