"""SIGTERM: readiness turns false, in-flight requests complete, the process exits 0."""
import signal
import threading
import time

from harness import get


def test_in_flight_requests_complete_on_sigterm(services):
    slow = services.fake(lambda req: (time.sleep(0.8), (200, {}, '{"invoiceId":%s,"expectedDate":"2030-01-01T00:00:00.000Z"}'
                                                        % req["path"].rsplit("/", 1)[1]))[1])
    invoices = services.service("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{slow.port}",
                                                 "EXPECTED_DATE_TIMEOUT_MS": "3000"})
    results = []

    def call(i):
        results.append(get(invoices.port, f"/api/invoices/{i}"))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(1, 6)]
    for t in threads:
        t.start()
    time.sleep(0.3)  # all five are waiting on the slow predictor
    invoices.process.send_signal(signal.SIGTERM)
    for t in threads:
        t.join(10)
    assert invoices.process.wait(10) == 0
    assert sorted(r.status for r in results) == [200] * 5
    assert all(r.json()["expectedDate"] == "2030-01-01T00:00:00.000Z" for r in results)
    assert all(r.header("connection") == "close" for r in results)


def test_readiness_turns_false_during_the_drain_delay(services):
    auth = services.service("auth_svc", {"TOKEN": "t", "DRAIN_DELAY_MS": "1500"})
    assert get(auth.port, "/readyz").status == 200
    auth.process.send_signal(signal.SIGTERM)
    time.sleep(0.2)
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
