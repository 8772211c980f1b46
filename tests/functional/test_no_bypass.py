"""Attacks on the gateway: none may reach the back end without valid credentials.

The real gateway and the real auth_svc stand in front of a recording fake back end, so each
test can assert what reached it (usually: nothing)."""

import re

from harness import TOKEN, closed_port, get, raw_exchange, recording_upstream


def status_of(raw):
    match = re.match(rb"HTTP/1\.1 (\d{3})", raw)
    return int(match.group(1)) if match else None


def statuses_of(raw):
    return [int(s) for s in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]


PATH_TRICKS = [
    "/invoices/1",
    "/invoices/../api/invoices/1",
    "/invoices/%2e%2e/api/invoices/1",
    "/invoices/%2E%2E/%2e%2e/api/expected-date/1",
    "/invoices%2F1",
    "/invoices/1%2F..%2F..%2Fapi%2Fexpected-date%2F1",
    "/invoices/1%5C..%5Capi",
    "/invoices\\..\\api/invoices/1",
    "/invoices/1%00",
    "//invoices/1",
    "/INVOICES/1",
    "/Invoices/1",
    "/%69nvoices/1",
    "/api/invoices/1",
    "/api/expected-date/1",
    "/./invoices/1",
    "/x/../invoices/1",
    "/invoices/1#frag",
    "/invoices/1?#",
    "/invoices",
    "/invoices/1%",
]


def test_path_tricks_without_credentials_never_reach_the_back_end(guarded):
    stack = guarded()
    for path in PATH_TRICKS:
        r = get(stack.gateway.port, path)
        assert r.status in (400, 401, 404), (path, r.status)
    assert stack.upstream.requests == []


def test_path_tricks_with_credentials_only_reach_the_routed_prefix(guarded):
    stack = guarded()
    for path in PATH_TRICKS:
        r = get(stack.gateway.port, path, {"authorization": TOKEN})
        assert r.status in (200, 400, 404), (path, r.status)
    reached = [req["path"] for req in stack.upstream.requests]
    # Only the plain path and the ones whose dot segments resolve to it (/./ and /x/../).
    assert reached == ["/api/invoices/1"] * 3, reached
    # Encoded slashes, backslashes and NUL are refused outright, not passed on to be decoded.
    for path in ["/invoices/1%2F..%2F2", "/invoices/1%5c2", "/invoices/1%00"]:
        r = get(stack.gateway.port, path, {"authorization": TOKEN})
        assert r.status == 400, path


def test_absolute_form_targets_are_routed_and_authorised_by_their_path(guarded):
    stack = guarded()
    port = stack.gateway.port
    for target in [b"http://127.0.0.1/invoices/1", b"HTTP://evil.example/invoices/1",
                   b"http://evil.example/x/../invoices/1", b"http://evil.example?/invoices/1",
                   b"https://evil.example/invoices/%2e%2e/api/expected-date/1"]:
        raw = raw_exchange(port, b"GET " + target + b" HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        assert status_of(raw) in (401, 404), (target, raw[:60])
    assert stack.upstream.requests == []
    raw = raw_exchange(port, b"GET http://evil.example/invoices/1 HTTP/1.1\r\nHost: a\r\n"
                             b"Authorization: " + TOKEN.encode() + b"\r\nConnection: close\r\n\r\n")
    assert status_of(raw) == 200
    assert [r["path"] for r in stack.upstream.requests] == ["/api/invoices/1"]
    for target in [b"*", b"invoices/1", b"ftp://x/invoices/1", b"127.0.0.1:80"]:
        raw = raw_exchange(port, b"GET " + target + b" HTTP/1.1\r\nHost: a\r\nAuthorization: " +
                           TOKEN.encode() + b"\r\nConnection: close\r\n\r\n")
        assert status_of(raw) == 400, target
    assert len(stack.upstream.requests) == 1


def test_duplicate_or_combined_authorization_is_refused_even_with_a_valid_one(guarded):
    stack = guarded()
    port = stack.gateway.port
    cases = [
        [TOKEN, "wrong"],
        ["wrong", TOKEN],
        [TOKEN, TOKEN],
    ]
    for values in cases:
        fields = b"".join(b"Authorization: " + v.encode() + b"\r\n" for v in values)
        raw = raw_exchange(port, b"GET /invoices/1 HTTP/1.1\r\nHost: a\r\n" + fields +
                           b"Connection: close\r\n\r\n")
        assert status_of(raw) == 401, values
    for value in [f"{TOKEN}, {TOKEN}", f"{TOKEN},wrong", f"Bearer {TOKEN} extra", f"Basic {TOKEN}"]:
        assert get(port, "/invoices/1", {"authorization": value}).status == 401, value
    # Other spellings of the header name are the same header.
    raw = raw_exchange(port, b"GET /invoices/1 HTTP/1.1\r\nHost: a\r\nauthorization: " +
                       TOKEN.encode() + b"\r\nAUTHORIZATION: x\r\nConnection: close\r\n\r\n")
    assert status_of(raw) == 401
    assert stack.upstream.requests == []


def test_folded_crlf_and_nul_in_headers_never_pass(guarded):
    stack = guarded()
    port = stack.gateway.port
    token = TOKEN.encode()
    attacks = [
        # obs-fold: a continuation line must not be dropped or turned into its own field
        b"Authorization: " + token + b"\r\n garbage\r\n",
        b"Authorization: wrong\r\n " + token + b"\r\n",
        b"X-Note: a\r\n Authorization: " + token + b"\r\n",
        # bare CR / LF inside a value: never a line break that starts a new field
        b"X-Note: a\rAuthorization: " + token + b"\r\n",
        b"X-Note: a\nAuthorization: " + token + b"\r\n",
        b"X-Note: a\r\nX-Auth-Subject: admin\r\n",
        # NUL inside and around the credential
        b"Authorization: " + token + b"\x00junk\r\n",
        b"Authorization: \x00" + token + b"\r\n",
        b"Authoriz\x00ation: " + token + b"\r\n",
        # whitespace before the colon (RFC 9112 §5.1: must be rejected)
        b"Authorization : " + token + b"\r\n",
    ]
    for fields in attacks:
        raw = raw_exchange(port, b"GET /invoices/1 HTTP/1.1\r\nHost: a\r\n" + fields +
                           b"Connection: close\r\n\r\n")
        assert status_of(raw) in (400, 401), (fields, raw[:80])
    assert stack.upstream.requests == []


def test_client_sent_identity_headers_never_reach_the_back_end(guarded):
    stack = guarded()
    r = get(stack.gateway.port, "/invoices/1", {
        "authorization": TOKEN, "x-auth-subject": "admin", "X-Auth-Scopes": "everything",
        "x-auth-role": "root"})
    assert r.status == 200
    up = stack.upstream
    assert up.header_of(0, "x-auth-subject") == ["token"]
    assert up.header_of(0, "x-auth-scopes") == ["invoices:read,invoices:write,webhooks:manage"]
    assert up.header_of(0, "x-auth-role") == []
    # Without credentials the claim gets nothing either.
    assert get(stack.gateway.port, "/invoices/1", {"x-auth-subject": "token"}).status == 401
    assert len(up.requests) == 1


def test_content_length_with_transfer_encoding_smuggles_nothing(guarded):
    stack = guarded()
    port = stack.gateway.port
    smuggled = b"GET /invoices/666 HTTP/1.1\r\nHost: a\r\n\r\n"
    # CL.TE and TE.CL with a credential on the outer request only.
    for head in [b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n",
                 b"Transfer-Encoding: chunked\r\nContent-Length: 6\r\n",
                 b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                 b"Transfer-Encoding: xchunked\r\n",
                 b"Content-Length: 0\r\nContent-Length: 44\r\n",
                 b"Content-Length: 6, 44\r\n"]:
        raw = raw_exchange(port, b"POST /invoices/1 HTTP/1.1\r\nHost: a\r\nAuthorization: " +
                           TOKEN.encode() + b"\r\n" + head + b"\r\n0\r\n\r\n" + smuggled)
        # The smuggled request has no credential: at most it is answered 401.
        assert 200 not in statuses_of(raw)[1:], (head, raw[:200])
    assert not [r for r in stack.upstream.requests if "666" in r["path"]]
    assert all(dict(r["headers"]).get("x-auth-subject") == "token" for r in stack.upstream.requests)
    # Without any credential nothing arrives at all.
    before = len(stack.upstream.requests)
    raw = raw_exchange(port, b"POST /invoices/1 HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled)
    assert 200 not in statuses_of(raw)
    assert len(stack.upstream.requests) == before


def test_oversized_and_malformed_requests_never_reach_the_back_end(guarded):
    stack = guarded()
    port = stack.gateway.port
    auth = {"authorization": TOKEN}
    assert get(port, "/invoices/1", {**auth, "x-big": "a" * 70_000}).status == 431
    assert get(port, "/invoices/" + "1" * 70_000, auth).status in (414, 431, 400)
    many = {f"x-h{i}": "v" for i in range(2000)}
    assert get(port, "/invoices/1", many).status in (401, 431)
    # Refused on its Content-Length, before the body is read (sending it all would race the
    # gateway closing the connection).
    raw = raw_exchange(port, b"POST /invoices/1 HTTP/1.1\r\nHost: a\r\nAuthorization: " +
                       TOKEN.encode() + b"\r\nContent-Length: 2097152\r\n\r\nxxxx")
    assert status_of(raw) == 413
    for raw in [b"GARBAGE\r\n\r\n",
                b"GET /invoices/1 HTTP/9.9\r\nHost: a\r\nAuthorization: " + TOKEN.encode() + b"\r\n\r\n",
                b"GET /invoices/1\r\n\r\n",
                b"GET  /invoices/1 HTTP/1.1\r\nHost: a\r\n\r\n",
                b"GET /invoices/1 HTTP/1.1\r\nHost: a\r\nAuthorization " + TOKEN.encode() + b"\r\n\r\n",
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"]:
        answer = raw_exchange(port, raw)
        assert status_of(answer) in (None, 400, 401, 505), (raw, answer[:80])
    assert stack.upstream.requests == []


def test_auth_service_slow_down_or_failing_fails_closed(services, tmp_path):
    upstream = recording_upstream()
    services.started_fake(upstream)
    hanging = services.fake(lambda req: None)
    failing = services.fake(lambda req: (500, {}, "boom"))
    unavailable = services.fake(lambda req: (503, {"x-auth-subject": "token"}, ""))
    for auth_port in [hanging.port, failing.port, unavailable.port, closed_port()]:
        gw = services.gateway(tmp_path, upstream.port, auth_port, auth_timeout_ms=300)
        r = get(gw.port, "/invoices/1", {"authorization": TOKEN})
        assert r.status == 403 and r.body == b"", auth_port
        gw.stop()
    assert upstream.requests == []
