"""Every change's event, one invoice's history and the change feed, on SQLite
and (when TIM_TEST_DATABASE_URL is set) PostgreSQL, and the feed through the gateway."""
import json

import pytest

from harness import TOKEN, get, post_json, request, wait_for

NEW = {"customerId": "C-1", "customerName": "Acme Ltd", "ccy": "GBP", "amount": 12000,
       "issueDate": "2026-11-01", "dueDate": "2026-12-01"}
STAMP = "2026-01-01T00:00:00.000Z"
CSV = ("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
       "settledDate,payments,createdAt,updatedAt\r\n"
       f"1,F-1,C-9,Nine Ltd,GBP,500,500,2026-11-01,2026-12-01,open,,,{STAMP},{STAMP}\r\n"
       f"2,F-2,C-9,Nine Ltd,GBP,700,700,2026-11-02,2026-12-02,open,,,{STAMP},{STAMP}\r\n")


@pytest.fixture
def svc(services, store_env):
    return services.service("invoices_svc", store_env)


def feed(port, prefix="/api/events", query=""):
    """The whole feed from `query`'s cursor on, page by page."""
    seen, cursor = [], ""
    while True:
        r = get(port, f"{prefix}?limit=2&after={cursor}{query}")
        assert r.status == 200, r.body
        body = r.json()
        seen += body["events"]
        cursor = body["cursor"]
        if not body["hasMore"]:
            return seen, cursor


def settled_feed(port, count, **kwargs):
    """On PostgreSQL the feed hands out an event once every older transaction on the server has
    ended (docs/events.md), which other tests' transactions can delay: poll for it."""
    return wait_for(lambda: (lambda f: f if len(f[0]) >= count else None)(feed(port, **kwargs)),
                    what=f"{count} events in the feed")


def as_(subject, **more):
    return {"x-auth-subject": subject, **more}


def test_every_change_is_in_the_invoice_history_with_who_made_it(svc):
    created = post_json(svc.port, "/api/invoices", NEW, as_("alice"))
    assert created.status == 201, created.body
    invoice = created.json()["id"]
    paid = post_json(svc.port, f"/api/invoices/{invoice}/payments", {"amount": 2000, "date": "2026-11-10"},
                     as_("bob", **{"Idempotency-Key": "p-1"}))
    assert paid.status == 200, paid.body
    # A replay and a refusal add nothing.
    post_json(svc.port, f"/api/invoices/{invoice}/payments", {"amount": 2000, "date": "2026-11-10"},
              as_("bob", **{"Idempotency-Key": "p-1"}))
    refused = post_json(svc.port, f"/api/invoices/{invoice}/payments", {"amount": 99999, "date": "2026-11-10"})
    assert refused.status == 409
    post_json(svc.port, f"/api/invoices/{invoice}/payments/1/reversal", {"reason": "bounced", "date": "2026-11-11"},
              as_("bob"))
    post_json(svc.port, f"/api/invoices/{invoice}/credit-notes",
              {"amount": 1000, "reason": "damaged", "date": "2026-11-12"}, as_("carol"))
    etag = get(svc.port, f"/api/invoices/{invoice}").header("etag")
    amended = request(svc.port, "PATCH", f"/api/invoices/{invoice}",
                      as_("carol", **{"content-type": "application/json", "If-Match": etag}),
                      json.dumps({"customerName": "Acme Group"}))
    assert amended.status == 200, amended.body
    # With a ledger an invoice cannot be voided: refused, no event.
    assert post_json(svc.port, f"/api/invoices/{invoice}/void", {}, as_("dave")).status == 409

    r = get(svc.port, f"/api/invoices/{invoice}/events")
    assert r.status == 200, r.body
    events = r.json()["events"]
    assert [(e["type"], e["subject"]) for e in events] == [
        ("invoice.created", "alice"), ("invoice.payment_recorded", "bob"),
        ("invoice.payment_reversed", "bob"), ("invoice.credited", "carol"),
        ("invoice.updated", "carol")]
    assert events[1]["invoice"] == paid.json()  # the invoice just after that change
    assert events[1]["invoice"]["balance"] == 10000
    assert events[4]["invoice"]["customerName"] == "Acme Group"
    assert all(e["invoiceId"] == invoice and e["createdAt"].endswith("Z") for e in events)
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    # Paging by event id.
    page = get(svc.port, f"/api/invoices/{invoice}/events?limit=2").json()
    assert [e["id"] for e in page["events"]] == [e["id"] for e in events[:2]]
    rest = get(svc.port, f"/api/invoices/{invoice}/events?after={page['nextAfter']}").json()
    assert [e["id"] for e in rest["events"]] == [e["id"] for e in events[2:]]

    other = post_json(svc.port, "/api/invoices", NEW).json()["id"]
    assert post_json(svc.port, f"/api/invoices/{other}/void", {}, as_("dave")).status == 200
    voided = get(svc.port, f"/api/invoices/{other}/events").json()["events"]
    assert [(e["type"], e["subject"]) for e in voided] == [("invoice.created", ""), ("invoice.voided", "dave")]
    assert voided[1]["invoice"]["status"] == "void"

    missing = get(svc.port, "/api/invoices/999/events")
    assert missing.status == 404 and missing.json()["error"]["code"] == "not_found"
    bad = get(svc.port, f"/api/invoices/{invoice}/events?after=x")
    assert bad.status == 400 and bad.json()["error"]["field"] == "after"


def test_the_feed_lists_every_event_in_commit_order_by_cursor_and_type(svc):
    for _ in range(3):
        invoice = post_json(svc.port, "/api/invoices", NEW).json()["id"]
        post_json(svc.port, f"/api/invoices/{invoice}/payments", {"amount": 100, "date": "2026-11-10"})
    imported = request(svc.port, "POST", "/api/invoices/import",
                       as_("importer", **{"content-type": "text/csv", "Idempotency-Key": "f-1"}), CSV)
    assert imported.status == 200, imported.body

    seen, cursor = settled_feed(svc.port, 8)
    assert [e["type"] for e in seen] == ["invoice.created", "invoice.payment_recorded"] * 3 + \
        ["invoice.imported"] * 2
    assert [e["subject"] for e in seen[-2:]] == ["importer", "importer"]
    assert [e["invoice"]["ref"] for e in seen[-2:]] == ["F-1", "F-2"]
    # At the end: nothing, the same cursor, and the next change when it comes.
    end = get(svc.port, f"/api/events?after={cursor}").json()
    assert end == {"events": [], "cursor": cursor, "hasMore": False}
    post_json(svc.port, "/api/invoices", NEW)
    after = wait_for(lambda: get(svc.port, f"/api/events/?after={cursor}").json()["events"] or None,
                     what="the next event")
    assert [e["type"] for e in after] == ["invoice.created"]

    payments = get(svc.port, "/api/events?type=invoice.payment_recorded").json()["events"]
    assert len(payments) == 3 and {e["type"] for e in payments} == {"invoice.payment_recorded"}

    for query, field in [("type=invoice.paid", "type"), ("after=nope", "after"), ("limit=0", "limit"),
                         ("limit=1001", "limit"), ("colour=red", "colour")]:
        r = get(svc.port, f"/api/events?{query}")
        assert r.status == 400, (query, r.body)
        assert r.json()["error"]["code"] == "invalid_field" and r.json()["error"]["field"] == field, query


def test_the_feed_through_the_gateway_needs_a_credential_and_records_its_subject(chain):
    g = chain.gateway.port
    assert get(g, "/events/").status in (401, 403)
    created = post_json(g, "/invoices/", NEW, {"authorization": TOKEN})
    assert created.status == 201, created.body

    def mine():
        r = get(g, "/events/?type=invoice.created", {"authorization": TOKEN})
        assert r.status == 200, r.body
        return [e for e in r.json()["events"] if e["invoiceId"] == created.json()["id"]] or None

    mine = wait_for(mine, what="the created event through the gateway")
    assert len(mine) == 1
    assert mine[0]["subject"]  # the subject auth_svc vouched for, passed on by the gateway
