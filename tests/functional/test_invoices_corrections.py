"""Corrections as a ledger makes them — payment ids, reversals, credit notes,
PATCH with If-Match/ETag — on SQLite and (when TIM_TEST_DATABASE_URL is set) PostgreSQL."""
import json

import pytest

from harness import get, post_json, request

NEW = {"customerId": "C-1", "customerName": "Acme Ltd", "ccy": "GBP", "amount": 12000,
       "issueDate": "2026-11-01", "dueDate": "2026-12-01"}


@pytest.fixture
def svc(services, store_env):
    return services.service("invoices_svc", store_env)


def create(svc):
    r = post_json(svc.port, "/api/invoices", NEW)
    assert r.status == 201, r.body
    return r


def patch(svc, path, body, headers=None):
    all_headers = {"content-type": "application/json", **(headers or {})}
    return request(svc.port, "PATCH", path, all_headers, json.dumps(body))


def test_a_reversed_payment_reopens_the_invoice_and_stays_in_its_history(svc):
    invoice = create(svc).json()["id"]
    paid = post_json(svc.port, f"/api/invoices/{invoice}/payments", {"amount": 12000, "date": "2026-12-03"}).json()
    assert paid["status"] == "paid" and paid["settledBy"] == "payments"
    payment = paid["payments"][0]["id"]
    r = post_json(svc.port, f"/api/invoices/{invoice}/payments/{payment}/reversal",
                  {"reason": "cheque bounced", "date": "2026-12-05"})
    assert r.status == 200, r.body
    body = r.json()
    assert (body["balance"], body["status"], body["settledDate"], body["settledBy"]) == (12000, "open", None, None)
    assert body["payments"] == [{"id": payment, "kind": "payment", "amount": 12000, "date": "2026-12-03",
                                 "reversed": {"reason": "cheque bounced", "date": "2026-12-05"}}]
    assert get(svc.port, f"/api/invoices/{invoice}").json() == body
    again = post_json(svc.port, f"/api/invoices/{invoice}/payments/{payment}/reversal",
                      {"reason": "twice", "date": "2026-12-05"})
    assert again.status == 409 and again.json()["error"]["code"] == "payment_already_reversed"
    missing = post_json(svc.port, f"/api/invoices/{invoice}/payments/99/reversal", {"reason": "x", "date": "2026-12-05"})
    assert missing.status == 404 and missing.json()["error"]["code"] == "payment_not_found"
    early = post_json(svc.port, f"/api/invoices/{invoice}/payments/{payment}/reversal", {"reason": "x"})
    assert early.status == 400 and early.json()["error"]["field"] == "date"
    assert get(svc.port, f"/api/invoices/{invoice}").json() == body


def test_credit_notes_lower_the_balance_and_say_how_it_was_settled(svc):
    invoice = create(svc).json()["id"]
    url = f"/api/invoices/{invoice}/credit-notes"
    r = post_json(svc.port, url, {"amount": 2000, "reason": "damaged goods", "date": "2026-11-05"})
    assert r.status == 200, r.body
    assert r.json()["balance"] == 10000
    assert r.json()["payments"][0] == {"id": 1, "kind": "creditNote", "amount": 2000, "date": "2026-11-05",
                                       "reason": "damaged goods"}
    too_much = post_json(svc.port, url, {"amount": 10001, "reason": "x", "date": "2026-11-05"})
    assert too_much.status == 409 and too_much.json()["error"]["code"] == "credit_exceeds_balance"
    no_reason = post_json(svc.port, url, {"amount": 1, "date": "2026-11-05"})
    assert no_reason.status == 400 and no_reason.json()["error"]["field"] == "reason"
    settled = post_json(svc.port, f"/api/invoices/{invoice}/payments", {"amount": 10000, "date": "2026-12-01"}).json()
    assert (settled["status"], settled["settledBy"]) == ("paid", "payments_and_credit")
    credit = post_json(svc.port, f"/api/invoices/{invoice}/payments/1/reversal", {"reason": "x", "date": "2026-12-02"})
    assert credit.status == 409 and credit.json()["error"]["code"] == "credit_note_not_reversible"


def test_patch_needs_the_current_etag(svc):
    created = create(svc)
    invoice, tag = created.json()["id"], created.header("etag")
    assert tag
    assert get(svc.port, f"/api/invoices/{invoice}").header("etag") == tag
    path = f"/api/invoices/{invoice}"
    missing = patch(svc, path, {"customerName": "Acme Holdings"})
    assert missing.status == 428 and missing.json()["error"]["code"] == "precondition_required"
    ok = patch(svc, path, {"customerName": "Acme Holdings", "dueDate": "2026-12-15", "amount": 15000},
               {"If-Match": tag})
    assert ok.status == 200, ok.body
    body = ok.json()
    assert (body["customerName"], body["dueDate"], body["amount"], body["balance"]) == \
        ("Acme Holdings", "2026-12-15", 15000, 15000)
    assert ok.header("etag") != tag
    stale = patch(svc, path, {"customerName": "Someone Else"}, {"If-Match": tag})
    assert stale.status == 412 and stale.json()["error"]["code"] == "precondition_failed"
    paid = post_json(svc.port, f"{path}/payments", {"amount": 100, "date": "2026-11-20"})
    assert paid.header("etag") not in (tag, ok.header("etag"))
    locked = patch(svc, path, {"amount": 20000}, {"If-Match": paid.header("etag")})
    assert locked.status == 409 and locked.json()["error"]["code"] == "amount_locked"
    unknown = patch(svc, path, {"status": "paid"}, {"If-Match": paid.header("etag")})
    assert unknown.status == 400 and unknown.json()["error"]["field"] == "status"
    assert get(svc.port, path).json()["customerName"] == "Acme Holdings"
    assert get(svc.port, path).header("etag") == paid.header("etag")


def test_corrections_honour_idempotency_keys(svc):
    invoice = create(svc).json()["id"]
    url = f"/api/invoices/{invoice}/credit-notes"
    key = {"Idempotency-Key": "credit-1"}
    body = {"amount": 500, "reason": "discount", "date": "2026-11-05"}
    first = post_json(svc.port, url, body, key)
    again = post_json(svc.port, url, body, key)
    assert first.status == again.status == 200
    assert again.header("idempotent-replayed") == "true"
    assert again.header("etag") == first.header("etag")
    assert len(get(svc.port, f"/api/invoices/{invoice}").json()["payments"]) == 1
