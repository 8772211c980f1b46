"""Expected dates for a page of invoices in one predictor call (expand=expectedDate), the
prediction cache, and the cash-in forecast (GET /api/forecast)."""
import json
import random

from harness import ROOT, TOKEN, closed_port, get, post_json

DEMO_MODEL = ROOT / "services" / "expected_date_svc" / "model" / "demo-model.json"


def invoices_with_predictor(services, tmp_path, predictor_port, env=None):
    return services.service("invoices_svc", dict({
        "DATA_DIR": str(tmp_path / "data"), "SEED_DEMO_DATA": "false",
        "EXPECTED_DATE_URI": f"http://127.0.0.1:{predictor_port}"}, **(env or {})))


def create(port, customer, amount, issue, due, ccy="GBP"):
    r = post_json(port, "/api/invoices", {"customerId": customer, "customerName": customer, "ccy": ccy,
                                          "amount": amount, "issueDate": issue, "dueDate": due})
    assert r.status == 201, r.body
    return r.json()


def test_expand_gives_each_open_invoice_its_dates_in_one_predictor_call(services, tmp_path):
    calls = []

    def predictor(req):
        calls.append(req["path"])
        body = json.loads(req["body"])
        answers = [{"invoiceId": item["invoiceId"], "expectedDate": "2031-01-02T00:00:00.000Z",
                    "expectedDateLow": "2031-01-01T00:00:00.000Z",
                    "expectedDateHigh": "2031-01-09T00:00:00.000Z", "basis": "population",
                    "modelVersion": "m1"} for item in body["items"]]
        return 200, {"content-type": "application/json"}, json.dumps({"modelVersion": "m1", "predictions": answers})

    fake = services.fake(predictor)
    invoices = invoices_with_predictor(services, tmp_path, fake.port, {"PREDICTION_CACHE_ENTRIES": "100"})
    made = [create(invoices.port, f"C-{i % 7}", 100 + i, "2030-01-01", "2030-02-01") for i in range(30)]
    paid = made[3]
    assert post_json(invoices.port, f"/api/invoices/{paid['id']}/payments",
                     {"amount": paid["amount"], "date": "2030-01-15"}).status == 200
    page = get(invoices.port, "/api/invoices?limit=500&expand=expectedDate").json()["invoices"]
    assert len(page) == 30
    assert calls == ["/api/expected-dates"]  # one call for the page, not one per invoice
    for item in page:
        if item["id"] == paid["id"]:
            assert "expectedDate" not in item  # paid: it has its settledDate
        else:
            assert (item["expectedDateLow"], item["expectedDate"], item["expectedDateHigh"]) == (
                "2031-01-01T00:00:00.000Z", "2031-01-02T00:00:00.000Z", "2031-01-09T00:00:00.000Z")
    asked = json.loads(fake.requests[0]["body"])
    assert len(asked["items"]) == 29
    # the same page again: every answer is in the cache, the predictor is not asked
    again = get(invoices.port, "/api/invoices?limit=500&expand=expectedDate").json()["invoices"]
    assert again == page and len(calls) == 1
    # without expand: no dates and no call
    plain = get(invoices.port, "/api/invoices?limit=500").json()["invoices"]
    assert all("expectedDate" not in i for i in plain) and len(calls) == 1


def test_expand_without_a_predictor_answers_the_page_without_dates(services, tmp_path):
    invoices = invoices_with_predictor(services, tmp_path, closed_port())
    create(invoices.port, "C-1", 100, "2030-01-01", "2030-02-01")
    r = get(invoices.port, "/api/invoices?expand=expectedDate")
    assert r.status == 200
    assert len(r.json()["invoices"]) == 1 and "expectedDate" not in r.json()["invoices"][0]
    bad = get(invoices.port, "/api/invoices?expand=payments")
    assert bad.status == 400 and bad.json()["error"]["field"] == "expand"


def test_a_payment_on_invoice_a_changes_the_cached_prediction_of_invoice_b(services, tmp_path):
    predictor = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
    invoices = invoices_with_predictor(services, tmp_path, predictor.port,
                                       {"PREDICTION_CACHE_ENTRIES": "1000"})
    a = create(invoices.port, "C-LATE", 1000, "2026-01-01", "2026-01-31")
    b = create(invoices.port, "C-LATE", 2000, "2030-01-01", "2030-01-31")
    first = get(invoices.port, f"/api/invoices/{b['id']}").json()
    cached = get(invoices.port, f"/api/invoices/{b['id']}").json()
    listed = get(invoices.port, "/api/invoices?customer=C-LATE&expand=expectedDate").json()["invoices"]
    assert first["expectedDateBasis"] == cached["expectedDateBasis"] == "population"
    assert listed[1]["expectedDate"] == first["expectedDate"]
    assert post_json(invoices.port, f"/api/invoices/{a['id']}/payments",
                     {"amount": 1000, "date": "2026-04-30"}).status == 200
    after = get(invoices.port, f"/api/invoices/{b['id']}").json()
    assert after["expectedDateBasis"] == "customer history with 1 paid invoice"
    assert after["expectedDate"] > first["expectedDate"]  # 89 days late once: expected later
    listed = get(invoices.port, "/api/invoices?customer=C-LATE&expand=expectedDate").json()["invoices"]
    assert listed[1]["expectedDate"] == after["expectedDate"]


def test_forecast_buckets_and_overdue_add_up_to_the_open_balance_per_currency(services, tmp_path):
    predictor = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
    invoices = invoices_with_predictor(services, tmp_path, predictor.port)
    rnd = random.Random(14)
    open_balance = {}
    made = []
    for i in range(120):
        ccy = rnd.choice(["GBP", "USD", "JPY"])
        due = f"2026-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        inv = create(invoices.port, f"C-{rnd.randint(1, 9)}", rnd.randint(1, 10**9), "2026-01-01", due, ccy)
        made.append(inv)
    for inv in made[:30]:  # some paid in part, some in full: only open balances count
        amount = inv["amount"] if inv["id"] % 2 else inv["amount"] // 3
        assert post_json(invoices.port, f"/api/invoices/{inv['id']}/payments",
                         {"amount": amount, "date": "2026-02-01"}).status == 200
    listed = get(invoices.port, "/api/invoices?status=open&limit=500").json()["invoices"]
    for inv in listed:
        open_balance[inv["ccy"]] = open_balance.get(inv["ccy"], 0) + inv["balance"]
    for bucket in ["day", "week", "month"]:
        r = get(invoices.port, f"/api/forecast?from=2026-12-07&to=2027-02-28&bucket={bucket}")
        assert r.status == 200, r.body
        body = r.json()
        assert body["bucket"] == bucket and "Monte Carlo" in body["method"]
        assert body["unpredicted"] == 0
        assert [s["currency"] for s in body["series"]] == sorted(open_balance)
        for s in body["series"]:
            total = s["overdue"]["amount"] + s["later"]["amount"] + sum(b["amount"] for b in s["buckets"])
            assert total == s["total"]["amount"] == open_balance[s["currency"]]
            count = s["overdue"]["count"] + s["later"]["count"] + sum(b["count"] for b in s["buckets"])
            assert count == s["total"]["count"] == sum(1 for i in listed if i["ccy"] == s["currency"])
            for b in s["buckets"]:
                assert b["low"] <= b["amount"] <= b["high"]
            assert s["buckets"][0]["start"] == "2026-12-07" and s["buckets"][-1]["end"] == "2027-02-28"
    # the same question, the same answer (the simulation's seed is fixed)
    again = get(invoices.port, "/api/forecast?from=2026-12-07&to=2027-02-28&bucket=week").json()
    assert again == get(invoices.port, "/api/forecast?from=2026-12-07&to=2027-02-28&bucket=week").json()
    one = get(invoices.port, "/api/forecast?from=2026-12-07&to=2027-02-28&bucket=week&ccy=JPY&customer=C-3").json()
    assert [s["currency"] for s in one["series"]] in ([], ["JPY"])
    expected = sum(i["balance"] for i in listed if i["ccy"] == "JPY" and i["customerId"] == "C-3")
    assert sum(s["total"]["amount"] for s in one["series"]) == expected
    bad = get(invoices.port, "/api/forecast?from=2026-12-07&to=2026-12-01&bucket=week")
    assert bad.status == 400 and bad.json()["error"]["field"] == "to"


def test_forecast_without_a_predictor_places_invoices_at_their_due_date(services, tmp_path):
    invoices = invoices_with_predictor(services, tmp_path, closed_port())
    create(invoices.port, "C-1", 500, "2026-01-01", "2026-03-03")
    create(invoices.port, "C-1", 700, "2026-01-01", "2026-01-20")
    body = get(invoices.port, "/api/forecast?from=2026-02-01&to=2026-03-31&bucket=month").json()
    assert body["unpredicted"] == 2
    [gbp] = body["series"]
    assert gbp["overdue"]["amount"] == 700 and gbp["overdue"]["count"] == 1
    assert [b["amount"] for b in gbp["buckets"]] == [0, 500]


def test_forecast_through_the_gateway_needs_a_credential(chain):
    g = chain.gateway.port
    assert get(g, "/forecast/?from=2026-01-01&to=2026-03-31&bucket=month").status in (401, 403)
    created = post_json(g, "/invoices/", {"customerId": "C-GW", "customerName": "Gateway Ltd", "ccy": "EUR",
                                          "amount": 4321, "issueDate": "2026-01-01", "dueDate": "2026-02-01"},
                        {"authorization": TOKEN})
    assert created.status == 201, created.body
    r = get(g, "/forecast/?from=2026-01-01&to=2026-03-31&bucket=month&customer=C-GW",
            {"authorization": TOKEN})
    assert r.status == 200, r.body
    [eur] = r.json()["series"]
    assert eur["currency"] == "EUR" and eur["total"] == {"amount": 4321, "count": 1}
