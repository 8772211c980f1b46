"""SIGTERM: readiness turns false, in-flight requests complete, the process exits 0.

Requests are held in flight by a fake predictor that answers only when the test lets it, so
"in flight when SIGTERM arrives" is a fact the test checks, not a guess about timing. The drain
is tested straight against invoices_svc and through the gateway with RETRY_MAX=0, where no
retry can hide a request the drain dropped."""
import signal
import socket
import threading

from harness import TOKEN, gateway_over, get, metric_sum, metrics_text, wait_for

PREDICTION = '{"invoiceId":%s,"expectedDate":"2030-01-01T00:00:00.000Z"}'
HELD = 5


def held_predictor(services, held_ids):
    """A fake predictor that holds the requests for `held_ids` until `release` is set (the
    others are answered at once), and dates every invoice 2030-01-01."""
    release = threading.Event()

    def behaviour(req):
        invoice_id = req["path"].rsplit("/", 1)[1]
        if int(invoice_id) in held_ids:
            release.wait(60)
        return 200, {"content-type": "application/json"}, PREDICTION % invoice_id

    return services.fake(behaviour), release


class Clients:
    """One thread per GET; every outcome is kept: the answer, or the exception as the reason."""

    def __init__(self, port, paths, headers=None):
        self.outcomes = {}
        self._threads = [threading.Thread(target=self._get, args=(port, path, headers)) for path in paths]
        for t in self._threads:
            t.start()

    def _get(self, port, path, headers):
        try:
            self.outcomes[path] = get(port, path, headers, timeout=60)
        except Exception as e:  # any failure is a failed request, with its reason
            self.outcomes[path] = f"{type(e).__name__}: {e}"

    def join(self):
        for t in self._threads:
            t.join(60)
        return self.outcomes

    def failures(self):
        return {path: (o if isinstance(o, str) else f"{o.status} {o.body[:100]!r}")
                for path, o in self.outcomes.items()
                if isinstance(o, str) or o.status != 200
                or o.json().get("expectedDate") != "2030-01-01T00:00:00.000Z"}


def refuses_connections(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


def shutdown_started(service):
    return service.wait_for_log(lambda line: line.get("msg") == "shutdown started")


def test_requests_in_flight_when_sigterm_arrives_complete_after_the_listener_closed(services):
    predictor, release = held_predictor(services, range(1, HELD + 1))
    invoices = services.service("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{predictor.port}",
                                                 "EXPECTED_DATE_TIMEOUT_MS": "60000"})
    clients = Clients(invoices.port, [f"/api/invoices/{i}" for i in range(1, HELD + 1)])
    try:
        # All of them are inside invoices_svc, each waiting on the predictor.
        wait_for(lambda: len(predictor.requests) == HELD, what=f"{HELD} requests at the predictor")
        # The gauge counts the scrape that reads it, too.
        assert metric_sum(metrics_text(invoices.port), "http_requests_in_flight") == HELD + 1

        invoices.process.send_signal(signal.SIGTERM)
        shutdown_started(invoices)
        # DRAIN_DELAY_MS is 0: the listener closes at once, while the requests are still held.
        wait_for(lambda: refuses_connections(invoices.port), what="the listener to close")
        assert invoices.process.poll() is None  # waiting for its requests
        assert not clients.outcomes
    finally:
        release.set()
    clients.join()
    assert not clients.failures(), clients.failures()
    assert all(r.header("connection") == "close" for r in clients.outcomes.values())
    assert invoices.process.wait(15) == 0
    invoices.wait_for_log(lambda line: line.get("msg") == "shutdown complete")


def test_sigterm_drains_through_the_gateway_without_any_retry(services, tmp_path):
    predictor, release = held_predictor(services, range(1, HELD + 1))
    auth = services.service("auth_svc", {"TOKEN": TOKEN, "LOG_LEVEL": "info"})
    # The drain delay is the window in which a replica is not ready but still serves: long
    # enough for a few requests on a loaded machine.
    invoices = services.service("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{predictor.port}",
                                                 "EXPECTED_DATE_TIMEOUT_MS": "60000", "DRAIN_DELAY_MS": "4000",
                                                 "LOG_LEVEL": "info"})
    gateway = gateway_over(tmp_path, invoices.port, auth.port, {"RETRY_MAX": "0", "LOG_LEVEL": "info"},
                           route_timeout_ms=60000)  # the held requests outlast the drain delay
    held = Clients(gateway.port, [f"/invoices/{i}" for i in range(1, HELD + 1)], {"authorization": TOKEN})
    try:
        wait_for(lambda: len(predictor.requests) == HELD, what=f"{HELD} requests at the predictor")

        invoices.process.send_signal(signal.SIGTERM)
        shutdown_started(invoices)
        r = get(invoices.port, "/readyz")
        assert (r.status, r.json()["status"]) == (503, "draining")
        # Not ready, still serving: requests arriving now are answered, through the gateway.
        during = Clients(gateway.port, [f"/invoices/{i}" for i in range(10, 13)], {"authorization": TOKEN})
        during.join()
        assert not during.failures(), during.failures()
        # Then the delay ends and the listener closes, with the first ones still held.
        wait_for(lambda: refuses_connections(invoices.port), timeout=30, what="the listener to close")
        assert invoices.process.poll() is None
        assert not held.outcomes
    finally:
        release.set()
    held.join()
    assert not held.failures(), held.failures()
    assert invoices.process.wait(15) == 0
    text = metrics_text(gateway.admin_port)
    assert metric_sum(text, "upstream_retries_total") == 0
    assert metric_sum(text, "http_requests_total", route="mapping:invoices", status="200") == HELD + 3


def test_requests_outlasting_the_shutdown_timeout_are_cut_and_the_service_still_exits_0(services):
    predictor, release = held_predictor(services, range(1, HELD + 1))
    invoices = services.service("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{predictor.port}",
                                                 "EXPECTED_DATE_TIMEOUT_MS": "60000",
                                                 "SHUTDOWN_TIMEOUT_MS": "200"})
    clients = Clients(invoices.port, [f"/api/invoices/{i}" for i in range(1, HELD + 1)])
    try:
        wait_for(lambda: len(predictor.requests) == HELD, what=f"{HELD} requests at the predictor")
        invoices.process.send_signal(signal.SIGTERM)
        # Held for as long as the test likes: the shutdown timeout, not the requests, ends it.
        assert invoices.process.wait(30) == 0
    finally:
        release.set()
    clients.join()
    unanswered = [o for o in clients.outcomes.values() if isinstance(o, str)]
    assert len(unanswered) == HELD, clients.outcomes
    (warning,) = invoices.wait_for_log(lambda line: line.get("msg") == "shutdown timeout: closing connections still busy")
    assert warning["connections"] == HELD
    invoices.wait_for_log(lambda line: line.get("msg") == "shutdown complete")


def test_readiness_turns_false_during_the_drain_delay(services):
    auth = services.service("auth_svc", {"TOKEN": "t", "DRAIN_DELAY_MS": "4000"})
    assert get(auth.port, "/readyz").status == 200
    auth.process.send_signal(signal.SIGTERM)
    shutdown_started(auth)
    r = get(auth.port, "/readyz")
    assert r.status == 503
    assert r.json()["status"] == "draining"
    assert get(auth.port, "/healthz").status == 200  # alive while draining
    assert get(auth.port, "/x", {"authorization": "t"}).status == 200  # still serving
    assert auth.process.wait(10) == 0


def test_sigint_stops_cleanly_too(services):
    expected = services.service("expected_date_svc")
    assert get(expected.port, "/api/expected-date/1").status == 200
    assert expected.stop(signal.SIGINT) == 0
