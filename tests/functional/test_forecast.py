"""Expected dates for a page of invoices in one predictor call (expand=expectedDate), the
prediction cache, and the cash-in forecast (GET /api/forecast)."""
import json
import random

from harness import ROOT, closed_port, get, post_json

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
    invoices = invoices_with_predictor(services, tmp_path, fake.port)
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
