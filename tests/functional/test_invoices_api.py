"""The invoices API on a real invoices_svc, against SQLite and (when
TIM_TEST_DATABASE_URL is set) PostgreSQL: create, list, payments, void, refusals."""
import concurrent.futures
import urllib.parse

import pytest

from harness import get, post_json, request

NEW = {"customerId": "C-1", "customerName": "Acme Ltd", "ccy": "GBP", "amount": 12000,
       "issueDate": "2026-11-01", "dueDate": "2026-12-01"}


@pytest.fixture
def svc(services, store_env):
    return services.service("invoices_svc", store_env)


def create(svc, **changes):
    r = post_json(svc.port, "/api/invoices", {**NEW, **changes})
    assert r.status == 201, r.body
    return r.json()


def test_create_answers_201_with_location_and_the_stored_invoice(svc):
    r = post_json(svc.port, "/api/invoices/", NEW)
    assert r.status == 201
    body = r.json()
    assert list(body)[:5] == ["id", "ref", "amount", "balance", "ccy"]
    assert body["ref"] == f"INV-{body['id']}"
    assert (body["amount"], body["balance"], body["status"], body["payments"]) == (12000, 12000, "open", [])
    assert body["settledDate"] is None
    assert r.header("location") == f"/api/invoices/{body['id']}"
    got = get(svc.port, r.header("location"))
    assert got.status == 200
    assert got.json() == body
    assert create(svc, ref="MY-REF")["ref"] == "MY-REF"


@pytest.mark.parametrize("field,value", [("amount", 0), ("amount", -5), ("amount", 1.5), ("amount", "12"),
                                         ("ccy", "XXY"), ("ccy", "gbp"), ("issueDate", "2026-02-30"),
                                         ("dueDate", "01/12/2026"), ("customerId", ""),
                                         ("customerName", None)])
def test_create_refuses_a_bad_field_naming_it_and_stores_nothing(svc, field, value):
    r = post_json(svc.port, "/api/invoices", {**NEW, field: value})
    assert r.status == 400, r.body
    error = r.json()["error"]
    assert error["field"] == field
    assert field in error["message"]
    assert get(svc.port, "/api/invoices?limit=10").json()["invoices"] == []


def test_create_refuses_missing_unknown_and_malformed_bodies(svc):
    missing = {k: v for k, v in NEW.items() if k != "dueDate"}
    assert post_json(svc.port, "/api/invoices", missing).json()["error"]["field"] == "dueDate"
    assert post_json(svc.port, "/api/invoices", {**NEW, "dueDtae": "x"}).status == 400
    assert post_json(svc.port, "/api/invoices", "{not json").status == 400
    assert post_json(svc.port, "/api/invoices", "[]").status == 400
    assert get(svc.port, "/api/invoices").json()["invoices"] == []


def test_idempotency_key_makes_a_retry_return_the_first_invoice(svc):
    key = {"Idempotency-Key": "create-abc-1"}
    first = post_json(svc.port, "/api/invoices", NEW, key)
    again = post_json(svc.port, "/api/invoices", NEW, key)
    assert first.status == again.status == 201
    assert again.json() == first.json()
    assert again.header("location") == first.header("location")
    assert again.header("idempotent-replayed") == "true"
    assert first.header("idempotent-replayed") is None
    other = post_json(svc.port, "/api/invoices", {**NEW, "amount": 1}, key)
    assert other.status == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert len(get(svc.port, "/api/invoices").json()["invoices"]) == 1


def test_concurrent_retries_of_one_create_make_one_invoice(svc):
    def attempt(_):
        return post_json(svc.port, "/api/invoices", NEW, {"Idempotency-Key": "same-key"})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, range(16)))
    assert {a.status for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(get(svc.port, "/api/invoices").json()["invoices"]) == 1


def test_unknown_ids_are_404_json(svc):
    for path in ["/api/invoices/999999", "/api/invoices/0"]:
        r = get(svc.port, path)
        assert r.status == 404
        assert r.header("content-type") == "application/json"
        assert r.json()["error"]["code"] == "not_found"
    assert post_json(svc.port, "/api/invoices/999999/payments", {"amount": 1, "date": "2026-11-20"}).status == 404
    assert request(svc.port, "POST", "/api/invoices/999999/void").status == 404
    assert request(svc.port, "POST", "/api/invoices/abc/void").status == 400


def test_list_filters_and_cursor_pages_cover_each_invoice_once(svc):
    made = []
    for i in range(7):
        made.append(create(svc, customerId=f"C-{i % 2}", dueDate=f"2026-12-0{i + 1}")["id"])
    paid = made[3]
    assert post_json(svc.port, f"/api/invoices/{paid}/payments", {"amount": 12000, "date": "2026-11-20"}).status == 200

    def collect(query):
        seen, cursor = [], None
        while True:
            q = dict(query)
            if cursor:
                q["cursor"] = cursor
            r = get(svc.port, "/api/invoices?" + urllib.parse.urlencode(q))
            assert r.status == 200, r.body
            page = r.json()
            assert len(page["invoices"]) <= int(query.get("limit", 50))
            seen += [i["id"] for i in page["invoices"]]
            cursor = page["next"]
            if cursor is None:
                return seen

    assert collect({"limit": 2}) == made
    assert collect({"limit": 3, "customer": "C-0"}) == made[0::2]
    assert collect({"status": "paid"}) == [paid]
    assert collect({"status": "open", "limit": 1}) == [i for i in made if i != paid]
    assert collect({"due_after": "2026-12-02", "due_before": "2026-12-06"}) == made[2:5]
    # the collection answers with and without the trailing slash
    assert [i["id"] for i in get(svc.port, "/api/invoices/?limit=500").json()["invoices"]] == made


def test_list_refuses_bad_parameters_naming_them(svc):
    for query, field in [("status=late", "status"), ("limit=0", "limit"), ("due_before=tomorrow", "due_before"),
                         ("cursor=garbage", "cursor"), ("colour=red", "colour")]:
        r = get(svc.port, "/api/invoices?" + query)
        assert r.status == 400, query
        assert r.json()["error"]["field"] == field
    first = get(svc.port, "/api/invoices?limit=1&customer=C-1")
    create(svc)
    create(svc)
    cursor = get(svc.port, "/api/invoices?limit=1&customer=C-1").json()["next"]
    assert first.status == 200 and cursor
    # a cursor is bound to its filter
    assert get(svc.port, "/api/invoices?limit=1&customer=C-2&cursor=" + cursor).status == 400


def test_payments_change_balance_status_and_settled_date_together(svc):
    inv = create(svc)
    url = f"/api/invoices/{inv['id']}/payments"
    r = post_json(svc.port, url, {"amount": 5000, "date": "2026-11-20"})
    assert r.status == 200
    body = r.json()
    assert (body["balance"], body["status"], body["settledDate"]) == (7000, "open", None)
    assert body["payments"] == [{"id": 1, "kind": "payment", "amount": 5000, "date": "2026-11-20"}]
    body = post_json(svc.port, url, {"amount": 7000, "date": "2026-11-25", "ccy": "GBP"}).json()
    assert (body["balance"], body["status"], body["settledDate"]) == (0, "paid", "2026-11-25")
    assert get(svc.port, f"/api/invoices/{inv['id']}").json() == body


def test_refused_payments_change_nothing(svc):
    inv = create(svc)
    url = f"/api/invoices/{inv['id']}/payments"
    assert post_json(svc.port, url, {"amount": 2000, "date": "2026-11-20"}).status == 200
    before = get(svc.port, f"/api/invoices/{inv['id']}").json()
    for payment, status, code in [
        ({"amount": 10001, "date": "2026-11-20"}, 409, "payment_exceeds_balance"),
        ({"amount": 100, "date": "2026-11-20", "ccy": "EUR"}, 409, "currency_mismatch"),
        ({"amount": 0, "date": "2026-11-20"}, 400, "invalid_field"),
        ({"amount": -100, "date": "2026-11-20"}, 400, "invalid_field"),
        ({"amount": 100, "date": "2026-10-01"}, 409, "payment_before_issue_date"),
        ({"amount": 100}, 400, "invalid_field"),
    ]:
        r = post_json(svc.port, url, payment)
        assert (r.status, r.json()["error"]["code"]) == (status, code), payment
    assert post_json(svc.port, url, "not json").status == 400
    assert get(svc.port, f"/api/invoices/{inv['id']}").json() == before


def test_concurrent_payments_never_overdraw(svc):
    inv = create(svc, amount=1000)
    url = f"/api/invoices/{inv['id']}/payments"

    def pay(_):
        return post_json(svc.port, url, {"amount": 300, "date": "2026-11-20"}).status

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(pay, range(10)))
    assert statuses.count(200) == 3
    assert statuses.count(409) == 7
    body = get(svc.port, f"/api/invoices/{inv['id']}").json()
    assert body["balance"] == 100
    assert len(body["payments"]) == 3


def test_void_only_an_open_invoice_without_payments(svc):
    inv = create(svc)
    r = request(svc.port, "POST", f"/api/invoices/{inv['id']}/void")
    assert r.status == 200
    assert r.json()["status"] == "void"
    again = request(svc.port, "POST", f"/api/invoices/{inv['id']}/void")
    assert (again.status, again.json()["error"]["code"]) == (409, "invoice_not_voidable")
    pay = post_json(svc.port, f"/api/invoices/{inv['id']}/payments", {"amount": 1, "date": "2026-11-20"})
    assert (pay.status, pay.json()["error"]["code"]) == (409, "invoice_void")

    partly_paid = create(svc)
    post_json(svc.port, f"/api/invoices/{partly_paid['id']}/payments", {"amount": 1, "date": "2026-11-20"})
    r = request(svc.port, "POST", f"/api/invoices/{partly_paid['id']}/void")
    assert r.status == 409
    assert get(svc.port, f"/api/invoices/{partly_paid['id']}").json()["status"] == "open"
