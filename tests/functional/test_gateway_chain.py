"""The gateway's filter chain through the real binaries: the auth-decision cache (hits, and a
revoked key stops working within AUTH_CACHE_TTL_MS + auth_svc's RELOAD_INTERVAL_MS), a Mapping's
headers and retry_policy, and the route file re-read while serving."""

import http.client
import time

from harness import (ROUTES_FILE, TOKEN, get, keys_cli, metric_sum, metrics_text, request,
                     upstreams_value, wait_for)


def create_key(key_file, name, scopes):
    done = keys_cli("create", "--file", str(key_file), "--name", name, "--scopes", scopes)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def gateway(services, tmp_path, upstream_port, auth_port, routes_text=None, env=None):
    routes = tmp_path / "routes.yaml"
    routes.write_text(routes_text or ROUTES_FILE.read_text())
    g = services.service("gateway", {"ROUTES_FILE": str(routes),
                                     "UPSTREAMS": upstreams_value(upstream_port, auth_port),
                                     "ROUTES_RELOAD_INTERVAL_MS": "100",
                                     "AUTH_CACHE_ENTRIES": "1000", **(env or {})})
    return g, routes


def with_mapping_fields(fields):
    """The repository's route file with extra fields on the invoices Mapping."""
    text = ROUTES_FILE.read_text()
    anchor = "  rewrite: /api/invoices/\n"
    assert anchor in text
    return text.replace(anchor, anchor + fields, 1)


def auth_decisions(auth):
    return metric_sum(metrics_text(auth.admin_port), "auth_decisions_total")


def cache_lookups(gw, result):
    return metric_sum(metrics_text(gw.admin_port), "gateway_auth_cache_lookups_total",
                      result=result)


def test_repeated_requests_with_one_key_ask_auth_once_with_the_same_identity(services, tmp_path):
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    upstream = services.fake(lambda req: (200, {}, "{}"))
    gw, _ = gateway(services, tmp_path, upstream.port, auth.port,
                    env={"AUTH_CACHE_TTL_MS": "60000"})
    for i in range(20):
        assert get(gw.port, f"/invoices/{i}", {"authorization": TOKEN}).status == 200
    assert auth_decisions(auth) == 1
    assert cache_lookups(gw, "hit") == 19 and cache_lookups(gw, "miss") == 1
    subjects = {tuple(upstream.header_of(i, "x-auth-subject")) for i in range(20)}
    scopes = {tuple(upstream.header_of(i, "x-auth-scopes")) for i in range(20)}
    assert subjects == {("token",)} and len(scopes) == 1 and scopes != {()}
    # A write needs another scope: auth is asked again, not answered from the read's entry.
    assert request(gw.port, "POST", "/invoices/1/payments", {"authorization": TOKEN},
                   body="{}").status == 200
    assert auth_decisions(auth) == 2
    # Denials are not kept: each wrong attempt reaches auth_svc (and its failure limiter).
    for _ in range(3):
        assert get(gw.port, "/invoices/1", {"authorization": "wrong"}).status == 401
    assert auth_decisions(auth) == 5


def test_a_cached_admission_outlives_an_auth_outage_by_at_most_the_ttl(services, tmp_path):
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    upstream = services.fake(lambda req: (200, {}, "{}"))
    gw, _ = gateway(services, tmp_path, upstream.port, auth.port,
                    env={"AUTH_CACHE_TTL_MS": "1500"})
    assert get(gw.port, "/invoices/1", {"authorization": TOKEN}).status == 200
    asked_at = time.monotonic()
    auth.stop()
    wait_for(lambda: get(gw.port, "/invoices/1", {"authorization": TOKEN}).status == 403,
             timeout=5.0, interval=0.02, what="fail closed once the entry is gone")
    assert time.monotonic() - asked_at <= 1.5 + 0.5
    # A credential never admitted before is refused at once.
    assert get(gw.port, "/invoices/1", {"authorization": "other"}).status == 403


def test_auth_cache_entries_zero_turns_it_off(services, tmp_path):
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    upstream = services.fake(lambda req: (200, {}, "{}"))
    gw, _ = gateway(services, tmp_path, upstream.port, auth.port, env={"AUTH_CACHE_ENTRIES": "0"})
    for i in range(5):
        assert get(gw.port, f"/invoices/{i}", {"authorization": TOKEN}).status == 200
    assert auth_decisions(auth) == 5
    assert cache_lookups(gw, "hit") == 0


def test_a_revoked_key_stops_working_within_the_cache_ttl_plus_the_reload_interval(services,
                                                                                   tmp_path):
    key_file = tmp_path / "keys.json"
    gone = create_key(key_file, "gone", "invoices:read")
    keep = create_key(key_file, "keep", "invoices:read")
    # The defaults: auth_svc re-reads its key file every 1000 ms, the gateway keeps a decision
    # for 1000 ms (once the cache is on: AUTH_CACHE_ENTRIES, set by gateway() here).
    auth = services.service("auth_svc", {"KEYS_FILE": str(key_file)})
    upstream = services.fake(lambda req: (200, {}, "{}"))
    gw, _ = gateway(services, tmp_path, upstream.port, auth.port)
    assert get(gw.port, "/invoices/1", {"authorization": gone}).status == 200
    assert get(gw.port, "/invoices/1", {"authorization": gone}).status == 200
    assert cache_lookups(gw, "hit") >= 1  # the second was served from the cache

    assert keys_cli("revoke", "--file", str(key_file), "gone").returncode == 0
    revoked_at = time.monotonic()
    # Keep the entry hot while it lives: a cache that extended entries on use would fail here.
    wait_for(lambda: get(gw.port, "/invoices/1", {"authorization": gone}).status == 401,
             timeout=5.0, interval=0.02, what="the revoked key refused")
    took = time.monotonic() - revoked_at
    assert took <= 1.0 + 1.0 + 0.5, f"revoked key still worked {took:.2f} s after revocation"
    assert get(gw.port, "/invoices/1", {"authorization": keep}).status == 200


def test_mapping_headers_are_added_and_removed_after_auth(services, tmp_path):
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    upstream = services.fake(lambda req: (200, {"x-internal": "1", "x-kind": "svc"}, "{}"))
    routes = with_mapping_fields(
        "  add_request_headers:\n    x-team: billing\n    x-env: {value: prod, append: false}\n"
        "  remove_request_headers: [user-agent]\n"
        "  add_response_headers:\n    x-kind: gateway\n"
        "  remove_response_headers: [x-internal]\n")
    gw, _ = gateway(services, tmp_path, upstream.port, auth.port, routes)
    r = get(gw.port, "/invoices/1", {"authorization": TOKEN, "x-env": "dev", "x-team": "a",
                                     "user-agent": "test"})
    assert r.status == 200
    assert upstream.header_of(0, "x-team") == ["a", "billing"]  # append: true (the default)
    assert upstream.header_of(0, "x-env") == ["prod"]           # append: false replaces
    assert upstream.header_of(0, "user-agent") == []
    assert r.header("x-internal") is None
    assert r.headers.get("x-kind") == ["svc", "gateway"]


def test_retry_policy_retries_a_5xx_answer(services, tmp_path):
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    answers = iter([(503, {}, "busy"), (503, {}, "busy")])
    upstream = services.fake(lambda req: next(answers, (200, {}, '{"ok":1}')))
    routes = with_mapping_fields("  retry_policy:\n    retry_on: 5xx\n    num_retries: 2\n")
    gw, _ = gateway(services, tmp_path, upstream.port, auth.port, routes)
    r = get(gw.port, "/invoices/1", {"authorization": TOKEN})
    assert r.status == 200 and r.json() == {"ok": 1}
    assert len(upstream.requests) == 3


def test_the_route_file_is_reread_without_dropping_connections_and_a_broken_one_is_kept_out(
        services, tmp_path):
    auth = services.service("auth_svc", {"TOKEN": TOKEN})
    upstream = services.fake(lambda req: (200, {}, "{}"))
    gw, routes = gateway(services, tmp_path, upstream.port, auth.port)
    conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)

    def ask(path):
        conn.request("GET", path, headers={"authorization": TOKEN})
        resp = conn.getresponse()
        resp.read()
        return resp.status, resp.getheader("x-route")

    assert ask("/invoices/1") == (200, None)
    assert ask("/bills/1")[0] == 404
    good = routes.read_text().replace("prefix: /invoices/", "prefix: /bills/", 1) + (
        "---\napiVersion: getambassador.io/v3alpha1\nkind: Mapping\nmetadata: {name: invoices2}\n"
        "spec:\n  prefix: /invoices/\n  rewrite: /api/invoices/\n  service: invoices-svc\n"
        "  add_response_headers: {x-route: reloaded}\n")
    routes.write_text(good)
    wait_for(lambda: ask("/bills/1")[0] == 200, timeout=5.0, what="the new route served")
    assert ask("/invoices/1") == (200, "reloaded")  # same connection all along
    assert upstream.requests[-2]["path"] == "/api/invoices/1"

    routes.write_text("kind: [unclosed")
    wait_for(lambda: any(l.get("msg", "").startswith("routes reload refused")
                         for l in gw.log_lines()), timeout=5.0, what="the refusal logged")
    refused = [l for l in gw.log_lines() if l.get("msg", "").startswith("routes reload refused")]
    assert "not valid YAML" in refused[0]["error"]
    assert ask("/bills/1")[0] == 200 and ask("/invoices/1") == (200, "reloaded")
    # A Mapping the file names but the gateway cannot honour is refused the same way.
    routes.write_text(good.replace("rewrite: /api/invoices/\n", "rewrite: /api/invoices/\n"
                                   "  prefix_regex: true\n", 1))
    wait_for(lambda: len([l for l in gw.log_lines()
                          if l.get("msg", "").startswith("routes reload refused")]) >= 2,
             timeout=5.0, what="the second refusal logged")
    assert ask("/bills/1")[0] == 200
    conn.close()
