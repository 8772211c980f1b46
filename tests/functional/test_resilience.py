"""Resilience pieces, one service at a time: W3C trace context through every hop, the cap on
requests in flight, circuit breakers and retries (the contract in README's configuration)."""
import http.client
import json
import re
import threading
import time

from harness import TOKEN, closed_port, gateway_over, get, metric_value, wait_for

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"
TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
PREDICTION = '{"invoiceId":%s,"expectedDate":"2030-01-01T00:00:00.000Z"}'


def predictor(req):
    return 200, {"content-type": "application/json"}, PREDICTION % req["path"].rsplit("/", 1)[1]


def gateway(services, tmp_path, invoices_ports, auth_port, env=None, **route_options):
    g = gateway_over(tmp_path, invoices_ports, auth_port, env, **route_options)
    services.started_fake(g)  # stopped with the rest
    return g


def access_lines(service):
    return [line for line in service.log_lines() if line.get("msg") == "request"
            and line.get("path") not in ("/healthz", "/readyz", "/metrics")]


def test_traceparent_travels_gateway_auth_invoices_predictor_and_every_hop_logs_it(services, tmp_path):
    fake_predictor = services.fake(predictor)
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    invoices = services.service("invoices_svc", {
        "EXPECTED_DATE_URI": f"http://127.0.0.1:{fake_predictor.port}"})
    gw = gateway(services, tmp_path, [invoices.port], auth.port)
    r = get(gw.port, "/invoices/1", {"authorization": TOKEN,
                                     "traceparent": f"00-{TRACE}-{CLIENT_SPAN}-01",
                                     "tracestate": "vendor=1"})
    assert r.status == 200
    assert r.json()["expectedDate"]

    # The predictor is called with the same trace, as a child of invoices_svc's span.
    (sent,) = fake_predictor.header_of(0, "traceparent")
    trace_id, parent, flags = TRACEPARENT.match(sent).groups()
    assert (trace_id, flags) == (TRACE, "01")
    assert fake_predictor.header_of(0, "tracestate") == ["vendor=1"]  # with its trace
    assert wait_for(lambda: access_lines(invoices) and access_lines(gw) and access_lines(auth),
                    timeout=3.0)
    (inv_line,) = access_lines(invoices)
    assert inv_line["trace_id"] == TRACE
    assert parent == inv_line["span_id"] != CLIENT_SPAN
    (gw_line,) = access_lines(gw)
    assert gw_line["trace_id"] == TRACE
    assert gw_line["span_id"] not in (CLIENT_SPAN, inv_line["span_id"])
    # x-request-id: the gateway's, on every hop.
    assert fake_predictor.header_of(0, "x-request-id") == [gw_line["request_id"]]
    assert inv_line["request_id"] == gw_line["request_id"]
    # auth_svc: its access line and its decision line carry the trace.
    assert [l["trace_id"] for l in access_lines(auth)] == [TRACE]
    decisions = auth.wait_for_log(lambda l: l.get("msg") == "auth decision")
    assert [d["trace_id"] for d in decisions] == [TRACE]


def test_invoices_drops_a_tracestate_that_came_without_a_trace(services):
    fake_predictor = services.fake(predictor)
    invoices = services.service("invoices_svc", {
        "EXPECTED_DATE_URI": f"http://127.0.0.1:{fake_predictor.port}"})
    assert get(invoices.port, "/api/invoices/1", {"tracestate": "orphan=1"}).status == 200
    (sent,) = fake_predictor.header_of(0, "traceparent")
    assert TRACEPARENT.match(sent)  # a new trace, started by invoices_svc
    assert fake_predictor.header_of(0, "tracestate") == []


def test_gateway_starts_a_trace_when_none_comes_and_sends_it_to_auth_and_upstream(services, tmp_path):
    auth = services.fake(lambda req: (200, {}, ""))
    upstream = services.fake(lambda req: (200, {"content-type": "application/json"}, "{}"))
    gw = gateway(services, tmp_path, [upstream.port], auth.port)
    assert get(gw.port, "/invoices/1", {"tracestate": "orphan=1"}).status == 200
    (to_auth,) = auth.header_of(0, "traceparent")
    (to_upstream,) = upstream.header_of(0, "traceparent")
    auth_trace, auth_parent, flags = TRACEPARENT.match(to_auth).groups()
    up_trace, up_parent, _ = TRACEPARENT.match(to_upstream).groups()
    assert flags == "01"
    assert auth_trace == up_trace != "0" * 32
    assert auth_parent == up_parent  # both are children of the gateway's span
    assert upstream.header_of(0, "tracestate") == []  # it belonged to no trace we continue
    assert wait_for(lambda: access_lines(gw), timeout=3.0)
    assert access_lines(gw)[0]["trace_id"] == up_trace
    assert access_lines(gw)[0]["span_id"] == up_parent
    # Another request, another trace.
    get(gw.port, "/invoices/2")
    assert TRACEPARENT.match(upstream.header_of(1, "traceparent")[0]).group(1) != up_trace


def test_gateway_replaces_an_invalid_traceparent_and_keeps_a_valid_ones_tracestate(services, tmp_path):
    auth = services.fake(lambda req: (200, {}, ""))
    upstream = services.fake(lambda req: (200, {"content-type": "application/json"}, "{}"))
    gw = gateway(services, tmp_path, [upstream.port], auth.port)
    invalid = [f"00-{'0' * 32}-{CLIENT_SPAN}-01", f"00-{TRACE.upper()}-{CLIENT_SPAN}-01",
               f"ff-{TRACE}-{CLIENT_SPAN}-01", f"00-{TRACE}-{'0' * 16}-01", "garbage"]
    for i, bad in enumerate(invalid):
        assert get(gw.port, "/invoices/1", {"traceparent": bad, "tracestate": "k=v"}).status == 200
        (sent,) = upstream.header_of(i, "traceparent")
        assert TRACEPARENT.match(sent), sent
        assert TRACE not in sent.lower()
        assert upstream.header_of(i, "tracestate") == []
    valid = f"00-{TRACE}-{CLIENT_SPAN}-00"
    assert get(gw.port, "/invoices/1", {"traceparent": valid, "tracestate": "k=v"}).status == 200
    n = len(invalid)
    trace_id, parent, flags = TRACEPARENT.match(upstream.header_of(n, "traceparent")[0]).groups()
    assert (trace_id, flags) == (TRACE, "00")  # the caller's sampling decision stands
    assert parent != CLIENT_SPAN
    assert upstream.header_of(n, "tracestate") == ["k=v"]
    assert auth.header_of(n, "tracestate") == ["k=v"]


def test_requests_over_max_in_flight_get_503_with_retry_after_at_once(services):
    release = threading.Event()
    hanging = services.fake(lambda req: (release.wait(60), predictor(req))[1])
    # The four requests are held until the test releases them, however slow the machine: the
    # timeout only bounds "at once" below.
    predictor_timeout_s = 10.0
    invoices = services.service("invoices_svc", {
        "EXPECTED_DATE_URI": f"http://127.0.0.1:{hanging.port}",
        "EXPECTED_DATE_TIMEOUT_MS": str(int(predictor_timeout_s * 1000)), "MAX_IN_FLIGHT": "4"})
    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(get(invoices.port, f"/api/invoices/{i}")))
               for i in range(1, 5)]
    for t in threads:
        t.start()
    assert wait_for(lambda: len(hanging.requests) == 4, timeout=3.0)  # four requests wait on the predictor

    conn = http.client.HTTPConnection("127.0.0.1", invoices.port, timeout=5)
    try:
        start = time.monotonic()
        conn.request("GET", "/api/invoices/5")
        res = conn.getresponse()
        body = res.read()
        # Answered while the four are still held (not queued behind them), without waiting for
        # the predictor's timeout.
        assert time.monotonic() - start < predictor_timeout_s
        assert not release.is_set() and len(results) == 0
        assert res.status == 503
        assert res.getheader("retry-after") == "1"
        assert json.loads(body)["error"]["code"] == "overloaded"
        assert (res.getheader("connection") or "").lower() != "close"
        # Same connection: probes and metrics are exempt from the cap.
        conn.request("GET", "/healthz")
        health = conn.getresponse()
        health.read()
        assert health.status == 200
        conn.request("GET", "/metrics")
        metrics = conn.getresponse().read().decode()
    finally:
        conn.close()
    assert metric_value(metrics, 'http_requests_rejected_total{reason="overloaded"}') == 1
    assert metric_value(metrics, 'http_requests_total{method="GET",route="overloaded",status="503"}') == 1
    assert len(hanging.requests) == 4  # the rejected one never reached the handler

    release.set()
    for t in threads:
        t.join(30)
    assert sorted(r.status for r in results) == [200] * 4
    assert all(r.json()["expectedDate"] for r in results)  # answered by the predictor once let go
    assert get(invoices.port, "/api/invoices/5").status == 200  # room again


def test_predictor_breaker_opens_after_failures_and_half_opens_after_the_pause(services):
    healthy = threading.Event()
    fake = services.fake(lambda req: predictor(req) if healthy.is_set() else (503, {}, "down"))
    invoices = services.service("invoices_svc", {
        "EXPECTED_DATE_URI": f"http://127.0.0.1:{fake.port}",
        "BREAKER_FAILURES": "3", "BREAKER_OPEN_MS": "400"})
    upstream = f'upstream="127.0.0.1:{fake.port}"'
    before = get(invoices.port, "/metrics").body.decode()
    assert metric_value(before, f"upstream_circuit_open{{{upstream}}}") == 0

    for i in range(1, 4):
        r = get(invoices.port, f"/api/invoices/{i}")
        assert r.status == 200 and "expectedDate" not in r.json()
    assert len(fake.requests) == 3
    # Open: answered without the date and without calling the predictor.
    r = get(invoices.port, "/api/invoices/4")
    assert r.status == 200 and "expectedDate" not in r.json()
    assert len(fake.requests) == 3
    metrics = get(invoices.port, "/metrics").body.decode()
    assert metric_value(metrics, f"upstream_circuit_open{{{upstream}}}") == 1
    assert metric_value(metrics, f'upstream_requests_total{{outcome="circuit_open",{upstream}}}') == 1
    assert metric_value(metrics, f'upstream_requests_total{{outcome="5xx",{upstream}}}') == 3

    healthy.set()
    # Until the pause is over, answers come without the date and without a call; then one trial
    # goes through, and it succeeds.
    r = wait_for(lambda: (lambda r: r if "expectedDate" in r.json() else None)(get(invoices.port, "/api/invoices/4")),
                 what="the trial after the breaker's pause")
    assert r.json()["expectedDate"] == "2030-01-01T00:00:00.000Z"
    assert len(fake.requests) == 4
    metrics = get(invoices.port, "/metrics").body.decode()
    assert metric_value(metrics, f"upstream_circuit_open{{{upstream}}}") == 0
    invoices.wait_for_log(lambda l: l.get("msg") == "upstream circuit opened")


def test_gateway_skips_an_open_instance_and_answers_503_when_all_are_open(services, tmp_path):
    auth = services.fake(lambda req: (200, {}, ""))
    failing = services.fake(lambda req: (503, {}, "no"))
    gw = gateway(services, tmp_path, [failing.port], auth.port,
                 {"BREAKER_FAILURES": "2", "BREAKER_OPEN_MS": "400"})
    assert [get(gw.port, "/invoices/1").status for _ in range(2)] == [503, 503]
    r = get(gw.port, "/invoices/1")
    assert r.status == 503
    assert r.body == b"upstream circuit open"
    assert r.header("x-envoy-overloaded") == "true"
    assert r.header("content-type").startswith("text/plain")
    assert len(failing.requests) == 2
    metrics = get(gw.admin_port, "/metrics").body.decode()
    assert metric_value(metrics, f'upstream_circuit_open{{upstream="127.0.0.1:{failing.port}"}}') == 1
    # Until the pause is over, answered without a call; then the trial: it fails, the breaker
    # re-opens.
    wait_for(lambda: get(gw.port, "/invoices/1").body != b"upstream circuit open",
             what="the trial after the breaker's pause")
    assert len(failing.requests) == 3
    assert get(gw.port, "/invoices/1").body == b"upstream circuit open"


def test_gateway_retries_a_refused_instance_on_the_next_within_the_budget(services, tmp_path):
    auth = services.fake(lambda req: (200, {}, ""))
    upstream = services.fake(lambda req: (200, {"content-type": "application/json"}, "{}"))
    gw = gateway(services, tmp_path, [closed_port(), upstream.port], auth.port,
                 {"BREAKER_FAILURES": "1000"})
    for _ in range(4):
        assert get(gw.port, "/invoices/1").status == 200
    assert len(upstream.requests) == 4
    metrics = get(gw.admin_port, "/metrics").body.decode()
    assert metric_value(metrics, 'upstream_retries_total{result="attempted",upstream="invoices-svc"}') == 2


def test_gateway_does_not_retry_past_an_exhausted_budget(services, tmp_path):
    auth = services.fake(lambda req: (200, {}, ""))
    gw = gateway(services, tmp_path, [closed_port()], auth.port,
                 {"RETRY_BUDGET_PERCENT": "0", "RETRY_BUDGET_MIN_PER_SEC": "0"})
    assert get(gw.port, "/invoices/1").status == 503
    metrics = get(gw.admin_port, "/metrics").body.decode()
    assert metric_value(metrics, 'upstream_retries_total{result="budget_exhausted",upstream="invoices-svc"}') == 1
    assert metric_value(metrics, 'upstream_retries_total{result="attempted",upstream="invoices-svc"}') is None


def test_malformed_resilience_settings_stop_the_service_naming_the_variable(tmp_path):
    import subprocess
    from harness import BIN_DIR, write_routes
    for name, env in [("invoices_svc", {"MAX_IN_FLIGHT": "lots"}),
                      ("invoices_svc", {"BREAKER_FAILURES": "0"}),
                      ("gateway", {"RETRY_MAX": "-1", "ROUTES_FILE": str(write_routes(tmp_path))}),
                      ("gateway", {"BREAKER_OPEN_MS": "soon", "ROUTES_FILE": str(write_routes(tmp_path))})]:
        full = {"PATH": "/usr/bin:/bin", "PORT": "0", "DATA_DIR": str(tmp_path / "d"), **env}
        done = subprocess.run([str(BIN_DIR / name / name)], env=full, capture_output=True, text=True,
                              timeout=10)
        assert done.returncode == 2, (name, env, done.stderr)
        assert list(env)[0] in done.stderr


def test_gateway_fails_closed_at_once_while_the_auth_breaker_is_open(services, tmp_path):
    auth = services.fake(lambda req: (503, {}, ""))
    upstream = services.fake(lambda req: (200, {"content-type": "application/json"}, "{}"))
    gw = gateway(services, tmp_path, [upstream.port], auth.port,
                 {"BREAKER_FAILURES": "2", "BREAKER_OPEN_MS": "60000"})
    assert [get(gw.port, "/invoices/1").status for _ in range(3)] == [403, 403, 403]
    assert len(auth.requests) == 2  # the third never reached it
    assert upstream.requests == []
    metrics = get(gw.admin_port, "/metrics").body.decode()
    assert metric_value(metrics, f'upstream_requests_total{{outcome="circuit_open",upstream="127.0.0.1:{auth.port}"}}') == 1


def test_answers_during_the_drain_delay_close_the_connection(services):
    import signal
    auth = services.service("auth_svc", {"TOKEN": "t", "DRAIN_DELAY_MS": "4000"})
    assert get(auth.port, "/x", {"authorization": "t"}).header("connection") != "close"
    auth.process.send_signal(signal.SIGTERM)
    auth.wait_for_log(lambda line: line.get("msg") == "shutdown started")
    r = get(auth.port, "/x", {"authorization": "t"})
    assert r.status == 200  # still serving,
    assert r.header("connection") == "close"  # but telling clients' pools to let go
    assert auth.process.wait(10) == 0
