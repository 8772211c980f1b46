"""The gateway behaves as Emissary-ingress for the features we use
(reference/gateway-protocol.md): the auth call, deny/error handling, rewrite, edge headers."""
import time

from harness import TOKEN, RawPeer, closed_port, get, request, wait_for

ALLOW = lambda req: (200, {"x-auth-subject": "tutorial", "x-not-listed": "no"}, "")
UPSTREAM_OK = lambda req: (200, {"content-type": "application/json", "server": "fake",
                                 "connection": "keep-alive"}, '{"from":"upstream"}')


def test_auth_request_is_made_exactly_as_emissary_makes_it(services, tmp_path):
    auth = services.fake(ALLOW)
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    r = request(gw.port, "POST", "/invoices/42?v=2", {
        "authorization": TOKEN, "content-type": "application/json", "accept": "text/html",
        "cookie": "c=1", "user-agent": "tester", "x-forwarded-proto": "https",
        "x-request-id": "client-id", "host": "api.local:8080"}, body='{"a":1}')
    assert r.status == 200
    seen = auth.requests[0]
    assert seen["method"] == "POST"
    assert seen["path"] == "/invoices/42?v=2"  # path_prefix "" + original path and query
    assert seen["body"] == b""
    assert auth.header_of(0, "content-length") == ["0"]
    assert auth.header_of(0, "host") == ["api.local:8080"]
    assert auth.header_of(0, "authorization") == [TOKEN]
    assert auth.header_of(0, "cookie") == ["c=1"]
    assert auth.header_of(0, "user-agent") == ["tester"]
    assert auth.header_of(0, "x-forwarded-proto") == ["http"]
    assert auth.header_of(0, "x-forwarded-for") == ["127.0.0.1"]
    assert auth.header_of(0, "content-type") == []
    assert auth.header_of(0, "accept") == []
    # x-request-id is listed in allowed_request_headers, and it is the gateway's, not the client's
    (request_id,) = auth.header_of(0, "x-request-id")
    assert request_id != "client-id"
    assert upstream.header_of(0, "x-request-id") == [request_id]


def test_allowed_request_is_rewritten_and_carries_auth_identity(services, tmp_path):
    auth = services.fake(ALLOW)
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    r = request(gw.port, "POST", "/invoices/42?v=2", {
        "authorization": TOKEN, "x-auth-subject": "forged", "x-envoy-retry-on": "5xx",
        "connection": "keep-alive, x-hop", "x-hop": "1", "content-type": "application/json"},
        body='{"a":1}')
    assert r.status == 200
    assert r.json() == {"from": "upstream"}
    assert r.header("server") == "envoy"
    assert r.header("x-envoy-upstream-service-time") is not None
    seen = upstream.requests[0]
    assert seen["path"] == "/api/invoices/42?v=2"
    assert seen["body"] == b'{"a":1}'
    assert upstream.header_of(0, "x-auth-subject") == ["tutorial"]
    assert upstream.header_of(0, "x-not-listed") == []
    assert upstream.header_of(0, "x-envoy-retry-on") == []
    assert upstream.header_of(0, "x-hop") == []
    assert upstream.header_of(0, "x-envoy-original-path") == ["/invoices/42?v=2"]
    assert upstream.header_of(0, "x-forwarded-for") == ["127.0.0.1"]
    assert upstream.header_of(0, "content-type") == ["application/json"]


def test_denial_passes_status_and_body_with_listed_headers_only(services, tmp_path):
    auth = services.fake(lambda req: (403, {"content-type": "application/json", "x-bar": "1",
                                            "www-authenticate": "Bearer"}, '{"ok":false,"why":"no"}'))
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    r = get(gw.port, "/invoices/1", {"authorization": "x"})
    assert r.status == 403
    assert r.json() == {"ok": False, "why": "no"}
    assert r.header("www-authenticate") == "Bearer"
    assert r.header("x-bar") is None
    assert upstream.requests == []


def test_only_200_allows(services, tmp_path):
    auth = services.fake(lambda req: (204, {}, ""))
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    assert get(gw.port, "/invoices/1", {"authorization": TOKEN}).status == 204
    assert upstream.requests == []


def test_auth_down_fails_closed_and_never_calls_invoices(services, tmp_path):
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, closed_port())
    r = get(gw.port, "/invoices/42", {"authorization": TOKEN})
    assert r.status == 403
    assert r.body == b""
    assert upstream.requests == []


def test_auth_5xx_fails_closed_with_empty_body(services, tmp_path):
    auth = services.fake(lambda req: (500, {"content-type": "text/plain"}, "secret stack trace"))
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    r = get(gw.port, "/invoices/42", {"authorization": TOKEN})
    assert (r.status, r.body) == (403, b"")
    assert upstream.requests == []


def test_auth_hanging_fails_closed_within_its_timeout(services, tmp_path):
    auth = services.fake(lambda req: None)
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port, auth_timeout_ms=300)
    start = time.monotonic()
    r = get(gw.port, "/invoices/42", {"authorization": TOKEN})
    elapsed = time.monotonic() - start
    assert (r.status, r.body) == (403, b"")
    assert 0.25 <= elapsed < 0.3 + 2.0  # its timeout, with a margin for a loaded machine
    assert upstream.requests == []


def test_unmatched_path_is_an_empty_404_without_auth_call(services, tmp_path):
    auth = services.fake(ALLOW)
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    for path in ["/", "/invoices", "/INVOICES/1", "/api/expected-date/1", "/invoicesX/1"]:
        r = get(gw.port, path, {"authorization": TOKEN})
        assert r.status == 404, path
        assert r.body == b""
        assert r.header("content-length") == "0"
    assert auth.requests == []
    assert upstream.requests == []


def test_dot_segments_are_resolved_before_routing(services, tmp_path):
    auth = services.fake(ALLOW)
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    assert get(gw.port, "/invoices/../api/expected-date/1", {"authorization": TOKEN}).status == 404
    assert get(gw.port, "/invoices/%2e%2e/api/x", {"authorization": TOKEN}).status == 404
    assert upstream.requests == []
    r = get(gw.port, "/other/../invoices/7", {"authorization": TOKEN})
    assert r.status == 200
    assert upstream.requests[0]["path"] == "/api/invoices/7"
    assert auth.requests[-1]["path"] == "/invoices/7"


def test_upstream_down_is_503(services, tmp_path):
    auth = services.fake(ALLOW)
    gw = services.gateway(tmp_path, closed_port(), auth.port)
    r = get(gw.port, "/invoices/42", {"authorization": TOKEN})
    assert r.status == 503
    assert b"upstream connect error" in r.body


def test_upstream_too_slow_is_504_within_the_route_timeout(services, tmp_path):
    auth = services.fake(ALLOW)
    upstream = services.fake(lambda req: None)
    gw = services.gateway(tmp_path, upstream.port, auth.port, route_timeout_ms=300)
    start = time.monotonic()
    r = get(gw.port, "/invoices/42", {"authorization": TOKEN})
    assert r.status == 504
    assert r.body == b"upstream request timeout"
    assert time.monotonic() - start < 0.3 + 2.0  # the route timeout, with a margin


def test_oversized_headers_are_431_and_never_reach_auth(services, tmp_path):
    auth = services.fake(ALLOW)
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    r = get(gw.port, "/invoices/1", {"authorization": TOKEN, "x-big": "a" * (61 * 1024)})
    assert r.status == 431
    assert auth.requests == []
    r = get(gw.port, "/invoices/1", {"authorization": TOKEN, "x-big": "a" * (50 * 1024)})
    assert r.status == 200


def test_a_pooled_connection_the_upstream_has_closed_costs_no_request(services, tmp_path):
    # Each connection answers once, keep-alive, then the upstream closes it: the gateway's pooled
    # connection is dead by the next request, whichever method it carries.
    upstream = RawPeer(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                       b"content-length: 2\r\n\r\n{}")
    try:
        gw = services.gateway(tmp_path, upstream.port, services.fake(ALLOW).port)
        for method in ["GET", "POST", "GET", "GET", "PUT", "POST", "DELETE", "POST"]:
            # The close reaches the gateway while the connection is pooled.
            wait_for(lambda: upstream.closed == upstream.connections, what="the upstream to close")
            r = request(gw.port, method, "/invoices/1", {"authorization": TOKEN},
                        body=None if method in ("GET", "DELETE") else "{}")
            assert (method, r.status, r.body) == (method, 200, b"{}")
        assert upstream.connections == 8
    finally:
        upstream.stop()


def test_chunked_and_close_delimited_answers_reach_the_client_whole(services, tmp_path):
    answers = {
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/plain\r\n\r\n"
        b"3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n": b"abcdefg",
        b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end": b"until the end",
    }
    auth = services.fake(ALLOW)
    for answer, body in answers.items():
        upstream = RawPeer(answer)
        try:
            gw = services.gateway(tmp_path, upstream.port, auth.port)
            for _ in range(2):
                r = get(gw.port, "/invoices/1", {"authorization": TOKEN})
                assert (r.status, r.body, r.header("content-length")) == (200, body, str(len(body)))
                assert r.header("transfer-encoding") is None
        finally:
            upstream.stop()


def test_upstream_connections_are_reused(services, tmp_path):
    auth = services.fake(ALLOW)
    upstream = services.fake(UPSTREAM_OK)
    gw = services.gateway(tmp_path, upstream.port, auth.port)
    for _ in range(20):
        assert get(gw.port, "/invoices/1", {"authorization": TOKEN}).status == 200
    ports = {r.get("client_port") for r in upstream.requests}
    assert len(upstream.requests) == 20
    # one keep-alive connection served them all (the fake records its peer's port)
    assert len(ports) == 1
