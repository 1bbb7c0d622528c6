"""The operator's files in deploy/: the environment file generated from the knobs, the systemd
units, and the nginx site, run for real in front of two stand-in web nodes."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shezhi.core import knobs
from shezhi.core.knobs import PRODUCTION_VALUES, env_bool, env_json, env_str, env_template

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "shezhi.conf"


def test_checked_in_environment_file_matches_the_declarations():
    """deploy/shezhi.env is regenerated with `shezhi settings_reference --env`."""
    assert (DEPLOY / "shezhi.env").read_text(encoding="utf-8") == env_template()


def test_environment_file_lists_every_knob_and_sets_the_production_ones():
    text = env_template()
    for env in knobs.REGISTRY:
        assert f"{env}=" in text, env
    for env in PRODUCTION_VALUES:
        assert f"\n{env}=" in text, env  # set, not commented out


def test_environment_file_reads_back_in_a_shell(monkeypatch, tmp_path):
    """What systemd's EnvironmentFile= and `set -a; . file` both read: quoted JSON stays whole,
    commented lines stay unset, a default that names another knob is not written as a value."""
    monkeypatch.setattr(knobs, "REGISTRY", {})
    env_json("X_SCHEDULE", {"jobs": 60}, "A JSON knob.", environ={})
    env_str("SHEZHI_DEBUG", "1", "Debug.", environ={})
    env_bool("X_DERIVED", True, "Follows debug.", shown="not SHEZHI_DEBUG", environ={})
    path = tmp_path / "shezhi.env"
    path.write_text(env_template(), encoding="utf-8")
    assert "#X_DERIVED=\n" in path.read_text(encoding="utf-8")
    assert "#X_SCHEDULE='{\"jobs\": 60}'" in path.read_text(encoding="utf-8")
    # Uncomment the JSON line as an operator would, then read the file like a shell does.
    path.write_text(path.read_text(encoding="utf-8").replace("#X_SCHEDULE=", "X_SCHEDULE="))
    shown = subprocess.run(
        [
            "bash",
            "-c",
            f'set -a; . "{path}"; echo "$SHEZHI_DEBUG|$X_SCHEDULE|${{X_DERIVED-unset}}"',
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert shown == '0|{"jobs": 60}|unset'


def test_systemd_units_run_the_web_worker_and_beat_with_the_environment_file():
    units = {p.name: p.read_text(encoding="utf-8") for p in (DEPLOY / "systemd").glob("*")}
    assert set(units) == {"shezhi-web@.service", "shezhi-worker.service", "shezhi-beat.service"}
    for text in units.values():
        assert "EnvironmentFile=/etc/shezhi/shezhi.env" in text
        assert "User=shezhi" in text
    assert "gunicorn shezhi.wsgi" in units["shezhi-web@.service"]
    assert "--bind 127.0.0.1:%i" in units["shezhi-web@.service"]
    assert "check --deploy" in units["shezhi-web@.service"]  # refuses bad settings first
    assert "celery -A shezhi.celery worker" in units["shezhi-worker.service"]
    assert "celery -A shezhi.celery beat" in units["shezhi-beat.service"]


def test_nginx_serves_the_folders_the_environment_file_configures():
    site = SITE.read_text(encoding="utf-8")
    var = PRODUCTION_VALUES["SHEZHI_VAR_DIR"]
    assert f"alias {var}/static/;" in site
    assert f"alias {var}/media/;" in site
    # The Chinese pages nginx answers with are shipped as static files.
    for name in ("413", "502"):
        assert f"/static/shezhi/errors/{name}.html" in site
        assert (ROOT / "shezhi" / "static" / "shezhi" / "errors" / f"{name}.html").exists()


# --- nginx for real -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node(BaseHTTPRequestHandler):
    """A stand-in web node: answers with its name and the headers it received."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path == "/photo":  # the app checked the viewer; nginx sends the file
            self.send_response(200)
            self.send_header("X-Accel-Redirect", "/protected-media/photo.jpg")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps(
            {"node": self.server.name, "headers": dict(self.headers)}  # type: ignore[attr-defined]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        return None


def start_node(name: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), Node)
    server.name = name  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def nginx(tmp_path) -> Iterator[tuple[str, list[ThreadingHTTPServer], Path]]:
    """deploy/nginx/shezhi.conf on a free loopback port (as scripts/stack.sh renders it) in front
    of two stand-in nodes; yields the base URL, the nodes and the var folder."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(binary).exists(), "nginx is missing: run scripts/bootstrap.sh test"
    port, ports = free_port(), [free_port(), free_port()]
    nodes = [start_node(f"web{i + 1}", p) for i, p in enumerate(ports)]
    var = tmp_path / "var"
    (var / "static" / "shezhi").mkdir(parents=True)
    (var / "static" / "shezhi" / "app.css").write_text("body {}")
    shutil.copytree(ROOT / "shezhi" / "static" / "shezhi" / "errors", var / "static/shezhi/errors")
    (var / "media").mkdir()
    (var / "media" / "photo.jpg").write_bytes(b"private")
    site = (
        SITE.read_text(encoding="utf-8")
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("server 127.0.0.1:8001 ", f"server 127.0.0.1:{ports[0]} ")
        .replace("server 127.0.0.1:8002 ", f"server 127.0.0.1:{ports[1]} ")
        .replace("/srv/shezhi/var/", f"{var}/")
        .replace("/var/log/nginx/shezhi", f"{tmp_path}/nginx")
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "tmp").mkdir()
    temp = "".join(
        f"{kind}_temp_path {tmp_path}/tmp/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"worker_processes 1;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 64; }\n"
        f"http {{\ninclude /etc/nginx/mime.types;\n{temp}include {tmp_path}/site.conf;\n}}\n"
    )
    if os.geteuid() == 0:
        # As root nginx's workers would run as nobody, who cannot read pytest's tmp folders.
        conf.write_text("user root;\n" + conf.read_text())
    args = [binary, "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    subprocess.run(args, check=True)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", nodes, var
    finally:
        subprocess.run([*args, "-s", "stop"], capture_output=True)
        for node in nodes:
            node.shutdown()
            node.server_close()


def fetch(url: str, data: bytes | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_nginx_spreads_requests_and_passes_a_request_id(nginx):
    url, _nodes, _var = nginx
    seen = [json.loads(fetch(f"{url}/api/v1/needs")[2]) for _ in range(6)]
    assert {s["node"] for s in seen} == {"web1", "web2"}
    ids = [s["headers"]["X-Request-ID"] for s in seen]
    assert len(set(ids)) == 6 and all(len(i) == 32 for i in ids)
    assert all(s["headers"]["X-Forwarded-Proto"] == "http" for s in seen)


def test_nginx_skips_a_node_that_is_down(nginx):
    url, nodes, _var = nginx
    nodes[0].shutdown()
    nodes[0].server_close()
    answers = [fetch(f"{url}/m/") for _ in range(6)]
    assert {status for status, _h, _b in answers} == {200}
    assert {json.loads(body)["node"] for _s, _h, body in answers} == {"web2"}


def test_nginx_serves_static_files_and_never_media_or_metrics(nginx):
    url, _nodes, _var = nginx
    status, headers, body = fetch(f"{url}/static/shezhi/app.css")
    assert status == 200 and body == b"body {}" and "public" in headers["Cache-Control"]
    assert fetch(f"{url}/media/photo.jpg")[0] == 404
    assert fetch(f"{url}/protected-media/photo.jpg")[0] == 404  # internal: only X-Accel-Redirect
    status, headers, body = fetch(f"{url}/photo")
    assert status == 200 and body == b"private" and "X-Accel-Redirect" not in headers
    assert fetch(f"{url}/metrics")[0] == 404


def test_nginx_refuses_a_body_over_the_limit_with_a_chinese_page(nginx):
    url, _nodes, _var = nginx
    assert fetch(f"{url}/api/v1/imports", data=b"x" * 1024)[0] == 200
    # nginx judges the declared length before reading the body.
    conn = http.client.HTTPConnection(url.removeprefix("http://"), timeout=10)
    conn.putrequest("POST", "/api/v1/imports")
    conn.putheader("Content-Length", str(26 * 1024 * 1024))
    conn.endheaders()
    answer = conn.getresponse()
    assert answer.status == 413
    assert "文件过大" in answer.read().decode()
    conn.close()


def test_nginx_answers_a_chinese_page_when_no_node_is_up(nginx):
    url, nodes, _var = nginx
    for node in nodes:
        node.shutdown()
        node.server_close()
    status, _headers, body = fetch(f"{url}/m/")
    assert status == 502 and "服务暂时不可用" in body.decode()
