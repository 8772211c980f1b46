"""Every mutating request of invoices_svc honours Idempotency-Key, scoped to
the caller (x-auth-subject), on SQLite and (when TIM_TEST_DATABASE_URL is set) PostgreSQL."""
import concurrent.futures

import pytest

from harness import get, post_json, request

NEW = {"customerId": "C-1", "customerName": "Acme Ltd", "ccy": "GBP", "amount": 12000,
       "issueDate": "2026-11-01", "dueDate": "2026-12-01"}
PAY = {"amount": 100, "date": "2026-12-01"}


@pytest.fixture
def svc(services, store_env):
    return services.service("invoices_svc", store_env)


def create(svc):
    r = post_json(svc.port, "/api/invoices", NEW)
    assert r.status == 201, r.body
    return r.json()["id"]


def test_a_payment_sent_twice_with_one_key_is_recorded_once(svc):
    """The issue's curl: the same key twice paid twice (balance 590 then 490)."""
    invoice = create(svc)
    key = {"Idempotency-Key": "pay-7-a"}
    first = post_json(svc.port, f"/api/invoices/{invoice}/payments", PAY, key)
    again = post_json(svc.port, f"/api/invoices/{invoice}/payments", PAY, key)
    assert first.status == again.status == 200
    assert first.json()["balance"] == again.json()["balance"] == 11900
    assert again.header("idempotent-replayed") == "true"
    assert first.header("idempotent-replayed") is None
    assert len(get(svc.port, f"/api/invoices/{invoice}").json()["payments"]) == 1


def test_the_same_key_on_another_request_is_409_and_changes_nothing(svc):
    invoice = create(svc)
    key = {"Idempotency-Key": "k-1"}
    assert post_json(svc.port, f"/api/invoices/{invoice}/payments", PAY, key).status == 200
    for path, body in [(f"/api/invoices/{invoice}/payments", {**PAY, "amount": 200}),
                       (f"/api/invoices/{invoice}/void", {}),
                       ("/api/invoices", NEW)]:
        r = post_json(svc.port, path, body, key)
        assert r.status == 409, (path, r.body)
        assert r.json()["error"]["code"] == "idempotency_key_reused"
    assert get(svc.port, f"/api/invoices/{invoice}").json()["balance"] == 11900
    assert len(get(svc.port, "/api/invoices").json()["invoices"]) == 1


def test_keys_belong_to_the_caller(svc):
    invoice = create(svc)
    path = f"/api/invoices/{invoice}/payments"
    for subject in ["alice", "bob", None]:
        headers = {"Idempotency-Key": "shared"}
        if subject:
            headers["x-auth-subject"] = subject
        assert post_json(svc.port, path, PAY, headers).header("idempotent-replayed") is None
        assert post_json(svc.port, path, PAY, headers).header("idempotent-replayed") == "true"
    assert get(svc.port, f"/api/invoices/{invoice}").json()["balance"] == 11700


def test_void_and_import_replay_their_first_answer(svc):
    invoice = create(svc)
    key = {"Idempotency-Key": "void-1"}
    first = post_json(svc.port, f"/api/invoices/{invoice}/void", {}, key)
    again = post_json(svc.port, f"/api/invoices/{invoice}/void", {}, key)
    assert first.status == again.status == 200  # not 409 invoice_not_voidable: a replay
    assert again.json() == first.json()
    assert again.header("idempotent-replayed") == "true"

    stamp = "2026-01-01T00:00:00.000Z"
    csv = ("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
           "settledDate,payments,createdAt,updatedAt\r\n"
           f"1,F-1,C-9,Nine Ltd,GBP,500,500,2026-11-01,2026-12-01,open,,,{stamp},{stamp}\r\n"
           f"2,F-2,C-9,Nine Ltd,GBP,700,700,2026-11-02,2026-12-02,open,,,{stamp},{stamp}\r\n")
    headers = {"content-type": "text/csv", "Idempotency-Key": "file-2026-11"}
    first = request(svc.port, "POST", "/api/invoices/import", headers, csv)
    again = request(svc.port, "POST", "/api/invoices/import", headers, csv)
    assert first.status == again.status == 200, first.body
    assert first.json()["imported"] == 2
    assert again.json() == first.json()
    assert again.header("idempotent-replayed") == "true"
    assert len(get(svc.port, "/api/invoices?customer=C-9").json()["invoices"]) == 2


def test_a_refused_payment_keeps_nothing_under_its_key(svc):
    invoice = create(svc)
    key = {"Idempotency-Key": "too-much"}
    r = post_json(svc.port, f"/api/invoices/{invoice}/payments", {**PAY, "amount": 99999}, key)
    assert r.status == 409 and r.json()["error"]["code"] == "payment_exceeds_balance"
    fixed = post_json(svc.port, f"/api/invoices/{invoice}/payments", PAY, key)
    assert fixed.status == 200 and fixed.header("idempotent-replayed") is None


def test_a_bad_key_is_400_naming_the_header(svc):
    invoice = create(svc)
    r = post_json(svc.port, f"/api/invoices/{invoice}/payments", PAY, {"Idempotency-Key": "x" * 256})
    assert r.status == 400
    assert r.json()["error"]["field"] == "Idempotency-Key"
    assert get(svc.port, f"/api/invoices/{invoice}").json()["payments"] == []


def test_fifty_concurrent_identical_payments_with_one_key_pay_once(svc):
    invoice = create(svc)

    def attempt(_):
        return post_json(svc.port, f"/api/invoices/{invoice}/payments", PAY,
                         {"Idempotency-Key": "burst", "x-auth-subject": "alice"})

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(attempt, range(50)))
    assert {a.status for a in answers} == {200}, {a.body for a in answers if a.status != 200}
    assert {a.json()["balance"] for a in answers} == {11900}
    assert sum(a.header("idempotent-replayed") == "true" for a in answers) == 49
    assert len(get(svc.port, f"/api/invoices/{invoice}").json()["payments"]) == 1
