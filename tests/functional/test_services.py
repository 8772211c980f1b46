"""Each service alone: bad input gets a clear JSON error, never a crash or a 500;
the predictor's failures never break an invoice answer."""
import time

from harness import TOKEN, closed_port, get, raw_exchange, request


def test_bad_ids_are_400_with_a_message(services):
    invoices = services.service("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{closed_port()}"})
    expected = services.service("expected_date_svc")
    # "/api/invoices/" (empty id) is the invoice collection since the invoices API exists; elsewhere it is a 400.
    for port, base, bads in [(invoices.port, "/api/invoices/", []), (expected.port, "/api/expected-date/", [""])]:
        for bad in ["abc", "-1", "99999999999999999999", "1.5", "%20"] + bads:
            r = get(port, base + bad)
            assert r.status == 400, (base, bad)
            assert r.header("content-type") == "application/json"
            assert r.json()["error"]["message"]
    assert invoices.process.poll() is None and expected.process.poll() is None


def test_unknown_path_404_and_wrong_method_405_with_allow(services):
    invoices = services.service("invoices_svc")
    r = get(invoices.port, "/api/nothing")
    assert r.status == 404
    assert r.json()["error"]["code"] == "not_found"
    r = request(invoices.port, "DELETE", "/api/invoices/1")
    assert r.status == 405
    assert r.header("allow") == "GET, PATCH, HEAD"  # PATCH: amendments
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_head_has_no_body_but_the_length(services):
    invoices = services.service("invoices_svc")
    g = get(invoices.port, "/api/invoices/42")
    h = request(invoices.port, "HEAD", "/api/invoices/42")
    assert h.status == 200
    assert h.body == b""
    assert h.header("content-length") == str(len(g.body))


def test_malformed_http_is_400_and_the_connection_closes(services):
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    for garbage in [b"NOT HTTP AT ALL\r\n\r\n", b"GET /x HTTP/9.9\r\nHost: a\r\n\r\n",
                    b"GET /x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n",
                    b"GET /x HTTP/1.1\r\n\r\n"]:
        answer = raw_exchange(auth.port, garbage)
        assert answer.startswith(b"HTTP/1.1 400"), (garbage, answer)
        assert b"<timeout" not in answer  # the server closed the connection
    assert auth.process.poll() is None


def test_oversized_headers_431_and_body_413(services):
    expected = services.service("expected_date_svc", {"MAX_BODY_BYTES": "1024"})
    r = get(expected.port, "/api/expected-date/1", {"x-big": "b" * (61 * 1024)})
    assert r.status == 431
    r = request(expected.port, "POST", "/api/expected-date/1", body="x" * 2048)
    assert r.status == 413
    assert r.json()["error"]["code"] == "body_too_large"


def test_invoice_without_predictor_has_no_expected_date(services):
    invoices = services.service("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{closed_port()}"})
    r = get(invoices.port, "/api/invoices/42")
    assert r.status == 200
    body = r.json()
    assert list(body.items())[:5] == [("id", 42), ("ref", "INV-42"), ("amount", 4200), ("balance", 4190),
                                      ("ccy", "GBP")]
    assert "expectedDate" not in body
    warnings = invoices.wait_for_log(lambda l: l["level"] == "warn" and "expected date" in l["msg"])
    assert warnings and warnings[-1]["invoice_id"] == 42


def test_hanging_predictor_is_cut_off_by_the_timeout(services):
    hang = services.fake(lambda req: None)
    invoices = services.service("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{hang.port}",
                                                 "EXPECTED_DATE_TIMEOUT_MS": "300"})
    start = time.monotonic()
    r = get(invoices.port, "/api/invoices/42")
    elapsed = time.monotonic() - start
    assert r.status == 200
    assert "expectedDate" not in r.json()
    assert 0.25 <= elapsed < 0.3 + 2.0  # its timeout, with a margin for a loaded machine


def test_garbage_from_the_predictor_is_ignored(services):
    for answer in [(200, {}, "not json"), (200, {}, '{"invoiceId":42,"expectedDate":"soon"}'),
                   (200, {}, '{"invoiceId":41,"expectedDate":"2026-01-01T00:00:00.000Z"}'),
                   (500, {}, '{"expectedDate":"2026-01-01T00:00:00.000Z"}')]:
        fake = services.fake(lambda req, a=answer: a)
        invoices = services.service("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{fake.port}"})
        r = get(invoices.port, "/api/invoices/42")
        assert r.status == 200
        assert "expectedDate" not in r.json(), answer


def test_predictor_answer_is_used_and_request_id_forwarded(services):
    fake = services.fake(lambda req: (200, {"content-type": "application/json"},
                                      '{"invoiceId":42,"expectedDate":"2030-01-02T03:04:05.678Z"}'))
    invoices = services.service("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{fake.port}"})
    r = get(invoices.port, "/api/invoices/42", {"x-request-id": "req-123"})
    assert r.json()["expectedDate"] == "2030-01-02T03:04:05.678Z"
    assert fake.requests[0]["path"] == "/api/expected-date/42"
    assert fake.header_of(0, "x-request-id") == ["req-123"]


def test_auth_refuses_to_start_without_token(services):
    import subprocess
    from harness import BIN_DIR
    done = subprocess.run([str(BIN_DIR / "auth_svc" / "auth_svc")], env={"PORT": "0"},
                          capture_output=True, text=True, timeout=10)
    assert done.returncode != 0
    assert "TOKEN" in done.stderr


def test_malformed_configuration_is_a_clear_error(services):
    import subprocess
    from harness import BIN_DIR
    done = subprocess.run([str(BIN_DIR / "invoices_svc" / "invoices_svc")], env={"PORT": "eighty"},
                          capture_output=True, text=True, timeout=10)
    assert done.returncode == 2
    assert "PORT" in done.stderr


def test_connection_framing_follows_the_request(services):
    port = services.service("expected_date_svc").port
    # HTTP/1.0: closed after the answer unless the client asks to keep it.
    answer = raw_exchange(port, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 200") and b"<timeout" not in answer
    answer = raw_exchange(port, b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1.0)
    assert b"Connection: keep-alive\r\n" in answer and answer.endswith(b"<timeout: connection still open>")
    # HTTP/1.1: two pipelined requests answered in turn, the second one's "close" honoured.
    answer = raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
                                b"GET /readyz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    assert answer.count(b"HTTP/1.1 200 OK\r\n") == 2 and b"<timeout" not in answer
    assert answer.count(b"Connection: close\r\n") == 1
    # Two Host fields: refused.
    answer = raw_exchange(port, b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400")
    # Expect: 100-continue gets the interim answer, then the real one.
    body = b'{"invoice":{"id":1}}'
    answer = raw_exchange(port, b"POST /api/expected-date/1 HTTP/1.1\r\nHost: a\r\n"
                                b"Expect: 100-continue\r\nContent-Type: application/json\r\n"
                                b"Connection: close\r\nContent-Length: " + str(len(body)).encode() +
                                b"\r\n\r\n" + body)
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 "), answer
