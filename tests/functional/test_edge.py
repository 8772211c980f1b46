"""The gateway's request path under abuse: bodies are not read before auth admits
them, large answers stream through, framing is strict at the gateway and at every service,
admin endpoints stay off the client listener, Location is right as the client sees it."""

import csv
import http.client
import io
import json
import pathlib
import socket
import subprocess
import threading
import time

import pytest

from harness import (BIN_DIR, TOKEN, RawPeer, gateway_over, get, raw_exchange, request)

AUTH = {"authorization": TOKEN}
MIB = 1024 * 1024


def upload(port, path, body_size, headers=b"", timeout=30.0):
    """POSTs `body_size` bytes on a raw connection and returns the status line and whether the
    whole body could be sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: api.local\r\n"
                  b"Content-Type: application/octet-stream\r\n" + headers +
                  b"Content-Length: " + str(body_size).encode() + b"\r\n\r\n")
        sent_all = True
        try:
            s.sendall(b"x" * body_size)
        except OSError:
            sent_all = False
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        return data.split(b"\r\n", 1)[0], sent_all


# --- 1. no body is read before the auth decision ----------------------------------------------

def peak_rss_kib(pid):
    """The most resident memory the process has had (VmHWM): a body held during the attack
    and freed afterwards still counts."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def slow_denial(req):
    time.sleep(1.0)  # an auth round trip that takes a while: what a body would be held for
    return 401, {"content-type": "application/json"}, '{"ok":false}'


def test_100_unauthenticated_1mib_uploads_cost_the_gateway_no_memory(services, tmp_path):
    auth = services.fake(slow_denial)
    upstream = services.fake(lambda req: (200, {}, "reached"))
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    # Warm up the connection pool to auth and the allocator with a few small requests.
    for _ in range(5):
        assert get(gw.port, "/invoices/1").status == 401
    before = peak_rss_kib(gw.process.pid)
    statuses = []
    start = threading.Barrier(100)

    def attack():
        start.wait()
        status, _ = upload(gw.port, "/invoices/1/payments", MIB)
        statuses.append(status)

    threads = [threading.Thread(target=attack) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    after = peak_rss_kib(gw.process.pid)
    print(f"gateway peak RSS {before} KiB before, {after} KiB after 100 unauthenticated "
          f"1 MiB uploads")
    assert statuses == [b"HTTP/1.1 401 Unauthorized"] * 100
    assert after - before < 20 * 1024
    assert upstream.requests == []
    assert all(r["body"] == b"" for r in auth.requests)  # asked on the headers alone


def test_a_refused_request_gets_no_100_continue_and_an_admitted_one_gets_its_body_through(guarded):
    stack = guarded()
    gw = stack.gateway
    with socket.create_connection(("127.0.0.1", gw.port), timeout=5) as s:
        s.sendall(b"POST /invoices/1/payments HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                  b"Content-Length: 1048576\r\n\r\n")
        answer = s.recv(65536)
        # The refusal comes on the headers alone, not a 100 Continue inviting the body.
        assert answer.startswith(b"HTTP/1.1 401"), answer
        assert b"connection: close" in answer.lower()
    body = bytes(range(256)) * 1024  # 256 KiB
    r = request(gw.port, "POST", "/invoices/1/payments", AUTH, body)
    assert r.status == 200
    assert stack.upstream.requests[-1]["body"] == body
    # The connection that was refused before its body could not be reused: the next request
    # on a new one works.
    assert get(gw.port, "/invoices/1").status == 401


def test_admitted_bodies_are_held_within_the_gateway_memory_budget(services, tmp_path):
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    upstream = services.fake(lambda req: (200, {"content-type": "text/plain"}, "ok"))
    gw = gateway_over(tmp_path, upstream.port, auth.port, {"BODY_MEMORY_BUDGET_BYTES": "100000"})
    try:
        assert request(gw.port, "POST", "/invoices/1/payments", AUTH, b"y" * 90000).status == 200
        over = request(gw.port, "POST", "/invoices/1/payments", AUTH, b"y" * 100001)
        assert over.status == 503
        assert over.header("retry-after") == "1"
        assert over.json()["error"]["code"] == "overloaded"
        assert len(upstream.requests) == 1
    finally:
        gw.stop()


# --- 2. large answers stream through the gateway ----------------------------------------------

def test_a_100k_invoice_csv_export_streams_through_the_gateway_without_opening_the_breaker(
        services, tmp_path):
    data = tmp_path / "data"
    rows = tmp_path / "big.csv"
    with rows.open("w") as f:
        f.write("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
                "settledDate,payments,createdAt,updatedAt\n")
        for i in range(1, 100_001):
            f.write(f"{i},INV-{i:06d},C-{i % 997},Customer number {i % 997} of the export test,"
                    f"USD,{1000 + i},{1000 + i},2026-01-{1 + i % 28:02d},2026-02-{1 + i % 28:02d},"
                    f"open,,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\n")
    subprocess.run([str(BIN_DIR / "invoices_svc" / "invoices_svc"), "import", str(rows)],
                   env={"DATA_DIR": str(data), "LOG_LEVEL": "warn"}, check=True,
                   capture_output=True, timeout=240)
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    invoices = services.service("invoices_svc", {"DATA_DIR": str(data), "SEED_DEMO_DATA": "false"})
    gw = services.gateway(tmp_path, invoices.port, auth.port, route_timeout_ms=20000)
    before = peak_rss_kib(gw.process.pid)
    sizes = []
    # More exports in a row than BREAKER_FAILURES (5): an answer's size never counts as a failure.
    for _ in range(7):
        r = get(gw.port, "/invoices/?format=csv", AUTH, timeout=120)
        assert r.status == 200, r.body[:200]
        assert r.header("content-type").startswith("text/csv")
        sizes.append(len(r.body))
    after = peak_rss_kib(gw.process.pid)
    exported = list(csv.DictReader(io.StringIO(r.body.decode())))
    assert len(exported) == 100_000
    assert [exported[0]["id"], exported[-1]["id"]] == ["1", "100000"]
    assert len(set(sizes)) == 1 and sizes[0] > 8 * MIB  # over the old 8 MiB answer limit
    print(f"export {sizes[0]} bytes; gateway peak RSS {before} KiB before, {after} KiB after 7 exports")
    assert after - before < 20 * 1024  # streamed, never held whole
    assert get(gw.port, "/invoices/42", AUTH).status == 200  # the breaker stayed closed


def test_a_large_chunked_answer_is_streamed_and_a_cut_one_is_not_passed_off_as_whole(
        services, tmp_path):
    auth = services.fake(lambda req: (200, {}, ""))
    piece = b"z" * 65536
    whole = (b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n" +
             (b"10000\r\n" + piece + b"\r\n") * 200 + b"0\r\n\r\n")
    upstream = RawPeer(whole)
    try:
        gw = services.gateway(tmp_path, upstream.port, auth.port)
        r = get(gw.port, "/invoices/1", AUTH, timeout=30)
        assert r.status == 200
        assert r.body == piece * 200  # 12.5 MiB
    finally:
        upstream.stop()
    cut = RawPeer(whole[: len(whole) // 2])  # then the peer closes
    try:
        gw2 = services.gateway(tmp_path, cut.port, auth.port)
        with pytest.raises(http.client.IncompleteRead):
            get(gw2.port, "/invoices/1", AUTH, timeout=30)
    finally:
        cut.stop()


# --- 4. strict framing -----------------------------------------------------------------------

TRAILER_AUTH = (b"POST /invoices/1/payments HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n"
                b"Authorization: " + TOKEN.encode() + b"\r\nHost: evil\r\n\r\n")


def test_trailer_fields_never_join_the_headers_at_the_gateway(guarded):
    stack = guarded()
    answer = raw_exchange(stack.gateway.port, TRAILER_AUTH.replace(b"HTTP/1.1\r\n",
                                                                   b"HTTP/1.1\r\nConnection: close\r\n", 1))
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert stack.upstream.requests == []


def test_transfer_encoding_other_than_chunked_is_400_and_close_at_the_gateway(guarded):
    stack = guarded()
    for coding in (b"gzip", b"gzip, chunked", b"chunked, gzip"):
        smuggled = (b"POST /invoices/1/payments HTTP/1.1\r\nHost: a\r\nAuthorization: " +
                    TOKEN.encode() + b"\r\nTransfer-Encoding: " + coding + b"\r\n\r\n"
                    b"GET /invoices/2 HTTP/1.1\r\nHost: a\r\nAuthorization: " + TOKEN.encode() +
                    b"\r\n\r\n")
        answer = raw_exchange(stack.gateway.port, smuggled)
        assert answer.startswith(b"HTTP/1.1 400"), (coding, answer[:200])
        assert answer.count(b"HTTP/1.1 ") == 1, answer  # the body was not read as a request
        assert b"connection: close" in answer.lower()
    assert stack.upstream.requests == []


def test_every_service_drops_trailers_and_refuses_other_transfer_codings(chain):
    # auth_svc decides on Authorization: one in the trailer must not count.
    auth_answer = raw_exchange(chain.auth.port, TRAILER_AUTH.replace(
        b"POST /invoices/1/payments", b"POST /auth/invoices/1/payments").replace(
        b"HTTP/1.1\r\n", b"HTTP/1.1\r\nConnection: close\r\n", 1))
    assert auth_answer.startswith(b"HTTP/1.1 401"), auth_answer[:200]
    for svc in (chain.auth, chain.invoices, chain.expected_date, chain.gateway):
        # A second Host in the trailer is not a second Host header (that would be 400).
        ok = raw_exchange(svc.admin_port, b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n0\r\nHost: b\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200"), (svc.name, ok[:200])
        bad = raw_exchange(svc.port, b"POST /api/invoices HTTP/1.1\r\nHost: a\r\n"
                           b"Transfer-Encoding: gzip\r\n\r\nGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        assert bad.startswith(b"HTTP/1.1 400"), (svc.name, bad[:200])
        assert bad.count(b"HTTP/1.1 ") == 1, (svc.name, bad)


# --- 6. admin endpoints only on the admin port -------------------------------------------------

def test_gateway_admin_endpoints_are_on_the_admin_port_only(chain):
    gw = chain.gateway
    assert gw.admin_port != gw.port
    for path in ("/metrics", "/readyz", "/healthz"):
        public = get(gw.port, path)
        assert (public.status, public.body) == (404, b""), path
        assert get(gw.admin_port, path).status == 200, path
    assert "http_requests_total" in get(gw.admin_port, "/metrics").body.decode()
    assert get(gw.admin_port, "/invoices/42", AUTH).status == 404  # no proxying there
    # The services inside keep theirs on their one port.
    for svc in (chain.auth, chain.invoices, chain.expected_date):
        assert get(svc.port, "/metrics").status == 200


# --- 8. Location as the client sees it ----------------------------------------------------------

def test_location_of_a_created_invoice_works_through_the_gateway(chain):
    new = {"customerId": "C-9", "customerName": "Edge Ltd", "ccy": "EUR", "amount": 1200,
           "issueDate": "2026-11-01", "dueDate": "2026-12-01"}
    r = request(chain.gateway.port, "POST", "/invoices/",
                {**AUTH, "content-type": "application/json"}, json.dumps(new))
    assert r.status == 201, r.body
    location = r.header("location")
    assert location == f"/invoices/{r.json()['id']}"
    fetched = get(chain.gateway.port, location, AUTH)
    assert fetched.status == 200
    assert fetched.json()["id"] == r.json()["id"]
    # Straight at the service the path stays the service's own.
    direct = request(chain.invoices.port, "POST", "/api/invoices",
                     {"content-type": "application/json"}, json.dumps(new))
    assert direct.header("location") == f"/api/invoices/{direct.json()['id']}"


# --- 9. CORS: what the README says -------------------------------------------------------------

def test_a_cors_preflight_is_not_answered_before_auth(guarded):
    stack = guarded()
    r = request(stack.gateway.port, "OPTIONS", "/invoices/1",
                {"origin": "https://app.example", "access-control-request-method": "POST"})
    assert r.status == 401
    assert r.header("access-control-allow-origin") is None
    assert stack.upstream.requests == []
