"""Signed webhooks, on SQLite and (when TIM_TEST_DATABASE_URL is set)
PostgreSQL. A receiver on 127.0.0.1 records what invoices_svc's delivery worker sends; every
signature is checked with docs/examples/webhook_receiver.py's own verify()."""
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import (ROOT, TOKEN, free_port, get, keys_cli, metric_sum, metrics_text, post_json,
                     request, wait_for)

sys.path.insert(0, str(ROOT / "docs" / "examples"))
import webhook_receiver  # noqa: E402  the documented receiver, tested here

NEW = {"customerId": "C-1", "customerName": "Acme Ltd", "ccy": "GBP", "amount": 12000,
       "issueDate": "2026-11-01", "dueDate": "2026-12-01"}
# Small waits for tests: retries within a fraction of a second.
HOOK_ENV = {"WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "WEBHOOK_RETRY_BASE_MS": "40",
            "WEBHOOK_RETRY_MAX_MS": "200", "WEBHOOK_POLL_MS": "50"}
# On PostgreSQL the feed waits for every older transaction on the shared server (docs/events.md).
SLOW = 30


class Receiver:
    """A webhook receiver on 127.0.0.1 (on `port` when given) that records each request and
    answers what `answer(request)` says (a status), 204 by default."""

    def __init__(self, port=0, answer=None):
        self.requests = []
        self.answer = answer or (lambda req: 204)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorded = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body, "json": json.loads(body), "at": time.monotonic()}
                receiver.requests.append(recorded)
                status = receiver.answer(recorded)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path="/hooks"):
        return f"http://127.0.0.1:{self.port}{path}"

    def event_ids(self):
        return [r["json"]["id"] for r in self.requests]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made = []

    def make(**kwargs):
        r = Receiver(**kwargs)
        made.append(r)
        return r

    yield make
    for r in made:
        r.stop()


def subscribe(port, url, events=("invoice.*",), headers=None):
    r = post_json(port, "/api/webhooks", {"url": url, "events": list(events)}, headers)
    assert r.status == 201, r.body
    return r.json()


def create(port):
    r = post_json(port, "/api/invoices", NEW)
    assert r.status == 201, r.body
    return r.json()["id"]


def pay(port, invoice, amount=100):
    r = post_json(port, f"/api/invoices/{invoice}/payments", {"amount": amount, "date": "2026-11-10"})
    assert r.status == 200, r.body


def check_signed(req, secret):
    """A delivery as docs/webhooks.md describes it, its signature checked by the example."""
    h = req["headers"]
    assert h["content-type"] == "application/json"
    assert h["user-agent"].startswith("tim-webhooks/")
    assert h["tim-event-id"] == str(req["json"]["id"])
    t = webhook_receiver.verify(secret, h["tim-signature"], req["body"])
    assert abs(time.time() - t) < 60
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", h["tim-signature"])


def test_subscribers_get_signed_events_in_order_per_invoice(services, store_env, receivers):
    svc = services.service("invoices_svc", {**store_env, **HOOK_ENV})
    before = create(svc.port)  # before the subscription: never sent
    everything, voids = receivers(), receivers()
    made = subscribe(svc.port, everything.url("/hooks?source=tim"))
    assert re.fullmatch(r"whsec_[0-9a-f]{64}", made["secret"])
    secret = made["secret"]
    void_secret = subscribe(svc.port, voids.url(), ["invoice.voided"])["secret"]
    assert void_secret != secret

    a, b = create(svc.port), create(svc.port)
    pay(svc.port, a)
    pay(svc.port, b)
    pay(svc.port, a, 200)
    assert post_json(svc.port, f"/api/invoices/{b}/payments/1/reversal",
                     {"reason": "bounced", "date": "2026-11-11"}).status == 200
    c = create(svc.port)
    assert post_json(svc.port, f"/api/invoices/{c}/void", {}).status == 200

    wait_for(lambda: len(everything.requests) >= 8 and voids.requests, timeout=SLOW,
             what="every event delivered")
    time.sleep(0.3)  # nothing more comes: each event once while the receiver says 2xx
    assert len(everything.requests) == 8
    for req in everything.requests:
        check_signed(req, secret)
        assert req["path"] == "/hooks?source=tim"
    # The same events, ids and invoices as the invoices' own history, in its order per invoice.
    for invoice, types in [(a, ["invoice.created", "invoice.payment_recorded", "invoice.payment_recorded"]),
                           (b, ["invoice.created", "invoice.payment_recorded", "invoice.payment_reversed"]),
                           (c, ["invoice.created", "invoice.voided"])]:
        history = get(svc.port, f"/api/invoices/{invoice}/events").json()["events"]
        sent = [r["json"] for r in everything.requests if r["json"]["invoiceId"] == invoice]
        assert [e["id"] for e in sent] == [e["id"] for e in history]
        assert [e["type"] for e in sent] == types
        for event, stored in zip(sent, history):
            assert event["data"]["invoice"] == stored["invoice"]
            assert event["created"] == stored["createdAt"]
    assert before not in {r["json"]["invoiceId"] for r in everything.requests}
    assert [r["json"]["type"] for r in voids.requests] == ["invoice.voided"]
    check_signed(voids.requests[0], void_secret)

    listed = get(svc.port, "/api/webhooks")
    assert listed.status == 200
    assert [w["url"] for w in listed.json()["webhooks"]] == [everything.url("/hooks?source=tim"), voids.url()]
    one = wait_for(lambda: (lambda w: w if w["deliveries"]["delivered"] == 8 else None)(
        get(svc.port, f"/api/webhooks/{made['id']}").json()), what="8 delivered")
    assert one["deliveries"] == {"pending": 0, "delivered": 8, "failed": 0}
    assert one["events"] == ["invoice.*"]
    # The secret was shown once: no other answer carries it.
    for r in (listed, get(svc.port, f"/api/webhooks/{made['id']}")):
        assert secret.encode() not in r.body and b"secret" not in r.body
    assert secret not in svc.logs()
    text = metrics_text(svc.port)
    assert metric_sum(text, "webhook_deliveries_total", outcome="delivered") == 9
    assert metric_sum(text, "webhook_outbox_backlog") == 0


def test_failed_deliveries_are_retried_with_backoff_and_hold_back_the_invoice(services, store_env, receivers):
    failures = {"left": 3}

    def answer(req):
        if failures["left"] > 0:
            failures["left"] -= 1
            return 500
        return 200

    receiver = receivers(answer=answer)
    svc = services.service("invoices_svc", {**store_env, **HOOK_ENV})
    secret = subscribe(svc.port, receiver.url())["secret"]
    a = create(svc.port)
    pay(svc.port, a)
    other = create(svc.port)
    wait_for(lambda: len(receiver.requests) >= 6, timeout=SLOW, what="3 failures and 3 deliveries")
    types = [(r["json"]["invoiceId"], r["json"]["type"]) for r in receiver.requests]
    # A's create was tried until it went through; A's payment never overtook it.
    a_seen = [t for i, t in types if i == a]
    assert a_seen[-1] == "invoice.payment_recorded" and a_seen.count("invoice.payment_recorded") == 1
    assert a_seen[:-1] == ["invoice.created"] * (len(a_seen) - 1)
    assert ("%d" % other, "invoice.created") in {(str(i), t) for i, t in types}
    for req in receiver.requests:
        check_signed(req, secret)  # each attempt signed afresh
    # The worker counts an outcome after the receiver has answered: the last one may lag.
    wait_for(lambda: metric_sum(metrics_text(svc.port), "webhook_deliveries_total",
                                outcome="delivered") == 3, timeout=SLOW, what="3 delivered counted")
    text = metrics_text(svc.port)
    assert metric_sum(text, "webhook_deliveries_total", outcome="retried") == 3
    assert metric_sum(text, "webhook_delivery_failures_total", reason="5xx") == 3
    assert metric_sum(text, "webhook_deliveries_total", outcome="delivered") == 3


def test_a_delivery_is_failed_after_retry_hours_and_the_invoice_moves_on(services, store_env, receivers):
    # WEBHOOK_RETRY_HOURS=0: the first failure is the last.
    receiver = receivers(answer=lambda req: 503 if req["json"]["type"] == "invoice.created" else 204)
    svc = services.service("invoices_svc", {**store_env, **HOOK_ENV, "WEBHOOK_RETRY_HOURS": "0"})
    made = subscribe(svc.port, receiver.url())
    a = create(svc.port)
    pay(svc.port, a)
    wait_for(lambda: len(receiver.requests) >= 2, timeout=SLOW, what="both events tried")
    time.sleep(0.3)
    assert [r["json"]["type"] for r in receiver.requests] == ["invoice.created", "invoice.payment_recorded"]
    counts = get(svc.port, f"/api/webhooks/{made['id']}").json()["deliveries"]
    assert counts == {"pending": 0, "delivered": 1, "failed": 1}
    assert metric_sum(metrics_text(svc.port), "webhook_deliveries_total", outcome="failed") == 1
    assert "webhook delivery failed for good" in svc.logs()


def test_two_replicas_deliver_each_event_once(services, store_env, receivers):
    receiver = receivers()
    replicas = [services.service("invoices_svc", {**store_env, **HOOK_ENV}) for _ in range(2)]
    secret = subscribe(replicas[0].port, receiver.url())["secret"]
    invoices = [create(replicas[i % 2].port) for i in range(30)]
    wait_for(lambda: len(receiver.requests) >= 30, timeout=SLOW, what="30 deliveries")
    time.sleep(0.5)
    assert sorted(r["json"]["invoiceId"] for r in receiver.requests) == sorted(invoices)
    assert len(set(receiver.event_ids())) == len(receiver.requests) == 30  # none twice
    for req in receiver.requests:
        check_signed(req, secret)
    delivered = [metric_sum(metrics_text(r.port), "webhook_deliveries_total", outcome="delivered")
                 for r in replicas]
    assert sum(delivered) == 30, delivered


def test_a_change_committed_before_a_kill_9_is_delivered_after_the_restart(services, store_env, receivers):
    port = free_port()  # the receiver is down at first
    # A delivery the killed worker held waits for its lease: WEBHOOK_TIMEOUT_MS +
    # STORE_TIMEOUT_MS + 5 s (docs/webhooks.md); kept short here.
    svc = services.service("invoices_svc", {**store_env, **HOOK_ENV, "WEBHOOK_TIMEOUT_MS": "1000",
                                            "STORE_TIMEOUT_MS": "2000"})
    secret = subscribe(svc.port, f"http://127.0.0.1:{port}/hooks")["secret"]
    invoice = create(svc.port)
    # The worker tried and failed (nobody listens); then the process dies without a goodbye.
    wait_for(lambda: metric_sum(metrics_text(svc.port), "webhook_deliveries_total", outcome="retried") >= 1,
             timeout=SLOW, what="a failed attempt")
    svc.stop(signal.SIGKILL)
    receiver = receivers(port=port)
    svc.restart()
    wait_for(lambda: receiver.requests, timeout=SLOW, what="the delivery after the restart")
    first = receiver.requests[0]
    assert first["json"]["type"] == "invoice.created" and first["json"]["invoiceId"] == invoice
    check_signed(first, secret)


def test_deleting_a_subscription_stops_its_deliveries(services, store_env, receivers):
    receiver = receivers(answer=lambda req: 500)
    svc = services.service("invoices_svc", {**store_env, **HOOK_ENV})
    made = subscribe(svc.port, receiver.url())
    create(svc.port)
    wait_for(lambda: len(receiver.requests) >= 2, timeout=SLOW, what="retries")
    gone = request(svc.port, "DELETE", f"/api/webhooks/{made['id']}")
    assert gone.status == 204 and gone.body == b""
    tried = len(receiver.requests)
    time.sleep(0.6)  # many retry intervals
    assert len(receiver.requests) <= tried + 1  # one may have been in flight
    assert get(svc.port, f"/api/webhooks/{made['id']}").status == 404
    assert get(svc.port, "/api/webhooks").json() == {"webhooks": []}
    assert request(svc.port, "DELETE", f"/api/webhooks/{made['id']}").json()["error"]["code"] == "not_found"
    wait_for(lambda: metric_sum(metrics_text(svc.port), "webhook_outbox_backlog") == 0 or None,
             what="an empty backlog")


def test_subscribe_and_delete_take_an_idempotency_key(services, store_env, receivers):
    receiver = receivers()
    svc = services.service("invoices_svc", {**store_env, **HOOK_ENV})
    body = {"url": receiver.url(), "events": ["invoice.created"]}
    key = {"Idempotency-Key": "hook-1", "x-auth-subject": "ops"}
    first = post_json(svc.port, "/api/webhooks", body, key)
    again = post_json(svc.port, "/api/webhooks", body, key)
    assert first.status == again.status == 201
    assert again.header("idempotent-replayed") == "true"
    assert again.json() == first.json()  # the retry of the same request gets its answer
    assert first.header("location") == f"/api/webhooks/{first.json()['id']}"
    assert len(get(svc.port, "/api/webhooks").json()["webhooks"]) == 1
    reused = post_json(svc.port, "/api/webhooks", {**body, "events": ["*"]}, key)
    assert reused.status == 409 and reused.json()["error"]["code"] == "idempotency_key_reused"
    path = f"/api/webhooks/{first.json()['id']}"
    gone = request(svc.port, "DELETE", path, {"Idempotency-Key": "del-1"})
    replay = request(svc.port, "DELETE", path, {"Idempotency-Key": "del-1"})
    assert gone.status == replay.status == 204
    assert replay.header("idempotent-replayed") == "true"


def test_subscriptions_are_refused_unless_the_host_is_allowed(services):
    off = services.service("invoices_svc")
    r = post_json(off.port, "/api/webhooks", {"url": "http://127.0.0.1:9/x", "events": ["*"]})
    assert r.status == 403
    assert r.json()["error"]["code"] == "webhooks_disabled"
    assert "WEBHOOK_ALLOWED_HOSTS" in r.json()["error"]["message"]

    svc = services.service("invoices_svc", {"WEBHOOK_ALLOWED_HOSTS": "hooks.example, 127.0.0.1:8443"})
    for body, status, code, field in [
        ({"url": "http://127.0.0.1:9/x", "events": ["*"]}, 422, "webhook_host_not_allowed", "url"),
        ({"url": "http://169.254.169.254/latest/meta-data", "events": ["*"]}, 422,
         "webhook_host_not_allowed", "url"),
        ({"url": "http://hooks.example.evil.test/", "events": ["*"]}, 422, "webhook_host_not_allowed", "url"),
        ({"url": "https://hooks.example/", "events": ["*"]}, 422, "invalid_url", "url"),
        ({"url": "file:///etc/passwd", "events": ["*"]}, 422, "invalid_url", "url"),
        ({"url": "http://hooks.example/", "events": ["invoice.paid"]}, 422, "unknown_event_type", "events"),
        ({"url": "http://hooks.example/", "events": []}, 400, "invalid_field", "events"),
        ({"url": "http://hooks.example/"}, 400, "invalid_field", "events"),
        ({"events": ["*"]}, 400, "invalid_field", "url"),
    ]:
        r = post_json(svc.port, "/api/webhooks", body)
        assert (r.status, r.json()["error"]["code"], r.json()["error"].get("field")) == (status, code, field), body
    assert post_json(svc.port, "/api/webhooks", {"url": "http://HOOKS.example:81/in", "events": ["*"]}).status == 201
    assert post_json(svc.port, "/api/webhooks", {"url": "http://127.0.0.1:8443/", "events": ["*"]}).status == 201
    assert request(svc.port, "POST", "/api/webhooks", {"content-type": "application/json"}, b"{").status == 400
    assert get(svc.port, "/api/webhooks/abc").status == 400
    assert get(svc.port, "/api/webhooks/999").status == 404
    assert len(get(svc.port, "/api/webhooks").json()["webhooks"]) == 2


def test_through_the_gateway_webhooks_need_their_own_scope(services, tmp_path, receivers):
    key_file = tmp_path / "keys.json"
    billing = keys_cli("create", "--file", str(key_file), "--name", "billing",
                       "--scopes", "invoices:read,invoices:write")
    hooks = keys_cli("create", "--file", str(key_file), "--name", "hooks", "--scopes", "webhooks:manage")
    assert billing.returncode == 0 and hooks.returncode == 0, (billing.stderr, hooks.stderr)
    billing_key = billing.stdout.strip().splitlines()[-1]
    hooks_key = hooks.stdout.strip().splitlines()[-1]
    auth = services.service("auth_svc", {"TOKEN": TOKEN, "KEYS_FILE": str(key_file)})
    receiver = receivers()
    invoices = services.service("invoices_svc", {**HOOK_ENV, "SEED_DEMO_DATA": "false"})
    gateway = services.gateway(tmp_path, invoices.port, auth.port)
    body = {"url": receiver.url(), "events": ["invoice.*"]}

    for method in ("GET", "POST"):
        r = request(gateway.port, method, "/webhooks/",
                    {"authorization": billing_key, "content-type": "application/json"},
                    json.dumps(body).encode() if method == "POST" else None)
        assert r.status == 403, (method, r.body)
        assert 'scope="webhooks:manage"' in (r.header("www-authenticate") or "")
    assert get(gateway.port, "/webhooks/").status == 401
    assert get(invoices.port, "/api/webhooks").json() == {"webhooks": []}  # nothing got through

    made = post_json(gateway.port, "/webhooks/", body, {"authorization": f"Bearer {hooks_key}"})
    assert made.status == 201, made.body
    hook_id = made.json()["id"]
    assert get(gateway.port, "/webhooks/", {"authorization": hooks_key}).json()["webhooks"][0]["id"] == hook_id
    assert get(gateway.port, f"/webhooks/{hook_id}", {"authorization": TOKEN}).status == 200
    assert get(gateway.port, "/invoices/", {"authorization": hooks_key}).status == 403  # only webhooks
    # The README's example: the tutorial's header has every scope.
    created = post_json(gateway.port, "/invoices/", NEW, {"authorization": TOKEN})
    assert created.status == 201
    wait_for(lambda: receiver.requests, what="the delivery")
    check_signed(receiver.requests[0], made.json()["secret"])
    assert request(gateway.port, "DELETE", f"/webhooks/{hook_id}", {"authorization": billing_key}).status == 403
    assert request(gateway.port, "DELETE", f"/webhooks/{hook_id}", {"authorization": hooks_key}).status == 204


def test_the_documented_receiver_verifies_real_deliveries(services, tmp_path):
    port = free_port()
    svc = services.service("invoices_svc", {**HOOK_ENV, "SEED_DEMO_DATA": "false"})
    secret = subscribe(svc.port, f"http://127.0.0.1:{port}/")["secret"]
    out = tmp_path / "receiver.out"
    with open(out, "w") as sink:
        receiver = subprocess.Popen([sys.executable, str(ROOT / "docs" / "examples" / "webhook_receiver.py"),
                                     str(port)], env={**os.environ, "WEBHOOK_SECRET": secret},
                                    stdout=sink, stderr=subprocess.STDOUT)
    try:
        invoice = create(svc.port)
        pay(svc.port, invoice, 2000)
        wait_for(lambda: len(out.read_text().splitlines()) >= 2, timeout=SLOW, what="the receiver's lines")
        lines = [line.split() for line in out.read_text().splitlines()]
        assert [(l[1], l[3], l[5]) for l in lines] == [("invoice.created", str(invoice), "12000"),
                                                     ("invoice.payment_recorded", str(invoice), "10000")]
    finally:
        receiver.terminate()
        receiver.wait(10)


def test_the_example_verify_refuses_what_it_should():
    body = b'{"id":1,"type":"invoice.created"}'
    now = 1_800_000_000
    sign = lambda t, b, s="whsec_x": "t=%d,v1=%s" % (t, __import__("hmac").new(
        s.encode(), b"%d." % t + b, "sha256").hexdigest())
    assert webhook_receiver.verify("whsec_x", sign(now, body), body, now=now) == now
    assert webhook_receiver.verify("whsec_x", sign(now - 299, body), body, now=now) == now - 299
    for header, why in [(sign(now - 301, body), "older than 5 minutes"),
                        (sign(now, body + b" "), "body changed"),
                        (sign(now, body, "whsec_y"), "another secret"),
                        (sign(now, body).replace("t=%d" % now, "t=%d" % (now + 1)), "timestamp changed"),
                        ("v1=" + sign(now, body).split("v1=")[1], "no timestamp"),
                        (None, "no header")]:
        with pytest.raises(webhook_receiver.BadSignature):
            webhook_receiver.verify("whsec_x", header, body, now=now)
            pytest.fail(why)
