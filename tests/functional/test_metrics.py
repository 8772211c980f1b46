"""GET /metrics on every service: Prometheus text format that promtool accepts, counting what
happened, and scraped by a real Prometheus server."""
import json
import shutil
import subprocess
import time
import urllib.request

import pytest

from harness import TOKEN, free_port, get

PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")


def metric_value(text, line_prefix):
    for line in text.splitlines():
        if line.startswith(line_prefix):
            return float(line.rsplit(" ", 1)[1])
    return None


def all_services(chain):
    return {"gateway": chain.gateway, "auth_svc": chain.auth, "invoices_svc": chain.invoices,
            "expected_date_svc": chain.expected_date}


@pytest.mark.skipif(PROMTOOL is None, reason="promtool (Debian's prometheus package) is not installed")
def test_every_service_exposes_metrics_promtool_accepts(chain):
    for _ in range(5):
        assert get(chain.gateway.port, "/invoices/42", {"authorization": TOKEN}).status == 200
    get(chain.gateway.port, "/invoices/42")  # one denial
    for name, svc in all_services(chain).items():
        r = get(svc.admin_port, "/metrics")
        assert r.status == 200, name
        assert r.header("content-type").startswith("text/plain; version=0.0.4")
        check = subprocess.run([PROMTOOL, "check", "metrics"], input=r.body, capture_output=True, timeout=30)
        assert check.returncode == 0, (name, check.stdout, check.stderr)
        assert f'build_info{{service="{name}"'.encode() in r.body


def test_metrics_count_requests_by_route_and_upstream_outcome(chain):
    for _ in range(3):
        get(chain.gateway.port, "/invoices/7", {"authorization": TOKEN})
    get(chain.gateway.port, "/invoices/7")
    gateway = get(chain.gateway.admin_port, "/metrics").body.decode()
    assert metric_value(gateway, 'http_requests_total{method="GET",route="mapping:invoices",status="200"}') == 3
    assert metric_value(gateway, 'http_requests_total{method="GET",route="mapping:invoices",status="401"}') == 1
    assert metric_value(gateway, f'upstream_requests_total{{outcome="ok",upstream="127.0.0.1:{chain.invoices.port}"}}') == 3
    invoices = get(chain.invoices.port, "/metrics").body.decode()
    assert metric_value(invoices, 'http_requests_total{method="GET",route="/api/invoices/:id",status="200"}') == 3
    ok_calls = f'upstream_requests_total{{outcome="ok",upstream="127.0.0.1:{chain.expected_date.port}"}}'
    assert metric_value(invoices, ok_calls) == 3
    chain.expected_date.stop()
    get(chain.gateway.port, "/invoices/7", {"authorization": TOKEN})
    invoices = get(chain.invoices.port, "/metrics").body.decode()
    assert metric_value(invoices, f'upstream_requests_total{{outcome="refused",upstream="127.0.0.1:{chain.expected_date.port}"}}') == 1


@pytest.mark.skipif(PROMETHEUS is None, reason="Debian's prometheus package is not installed")
def test_a_real_prometheus_scrapes_all_four(chain, tmp_path):
    port = free_port()
    targets = [f"127.0.0.1:{s.admin_port}" for s in all_services(chain).values()]
    config = tmp_path / "prometheus.yml"
    config.write_text("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                      "scrape_configs:\n- job_name: tim\n  static_configs:\n"
                      f"  - targets: {json.dumps(targets)}\n")
    server = subprocess.Popen([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
                               f"--web.listen-address=127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        up = {}
        while time.monotonic() < deadline:
            time.sleep(1)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/query?query=up", timeout=5) as r:
                    result = json.load(r)["data"]["result"]
            except OSError:
                continue
            up = {x["metric"]["instance"]: x["value"][1] for x in result}
            if len(up) == 4 and all(v == "1" for v in up.values()):
                break
        assert up == {t: "1" for t in targets}
    finally:
        server.terminate()
        server.wait(30)
