"""Dates are bounded: every date the APIs accept lies in 1900-01-01..2199-12-31,
and the predictor never answers a date before the issue date. The issue's attack was an invoice
issued 9999-12-31 (expectedDate 1816-03-29) and payments dated 9999-12-31."""
import json

from harness import get, post_json, request
from test_expected_date import DEMO_MODEL

NEW = {"customerId": "C-1", "customerName": "Acme Ltd", "ccy": "GBP", "amount": 12000,
       "issueDate": "2026-11-01", "dueDate": "2026-12-01"}


def refused(r, field):
    assert r.status == 400, r.body
    error = r.json()["error"]
    assert error["field"] == field
    assert "2199-12-31" in error["message"]


def test_invoices_payments_filters_and_imports_refuse_dates_outside_the_range(services):
    svc = services.service("invoices_svc", {"SEED_DEMO_DATA": "false"})
    refused(post_json(svc.port, "/api/invoices", {**NEW, "issueDate": "9999-12-31"}), "issueDate")
    refused(post_json(svc.port, "/api/invoices", {**NEW, "dueDate": "1899-12-31"}), "dueDate")
    edge = post_json(svc.port, "/api/invoices", {**NEW, "issueDate": "1900-01-01",
                                                 "dueDate": "2199-12-31"})
    assert edge.status == 201, edge.body
    invoice = edge.json()["id"]
    refused(post_json(svc.port, f"/api/invoices/{invoice}/payments",
                      {"amount": 1, "date": "9999-12-31"}), "date")
    paid = post_json(svc.port, f"/api/invoices/{invoice}/payments", {"amount": 1, "date": "2199-12-31"})
    assert paid.status == 200 and paid.json()["payments"][-1]["date"] == "2199-12-31"
    refused(get(svc.port, "/api/invoices?due_before=2200-01-01"), "due_before")
    header = ("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
              "settledDate,payments,createdAt,updatedAt\r\n")
    row = "1,R1,C-1,Acme,GBP,100,100,2026-11-01,9999-12-31,open,,,x,y\r\n"
    report = request(svc.port, "POST", "/api/invoices/import", {"content-type": "text/csv"},
                     header + row).json()
    assert report["imported"] == 0
    assert [(r["line"], r["field"]) for r in report["rejected"]] == [(2, "dueDate")]


def test_the_predictor_refuses_far_dates_and_never_answers_before_the_issue_date(services):
    svc = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
    invoice = {"customerId": "C", "issueDate": "2199-12-01", "dueDate": "2199-12-31",
               "amount": 100, "ccy": "USD", "country": "391"}
    body = {"invoice": invoice, "asOf": "2199-12-31",
            "history": [{"issueDate": "1900-01-01", "dueDate": "1900-01-01",
                         "settledDate": "2199-12-31", "amount": 1, "ccy": "USD"}]}
    r = request(svc.port, "POST", "/api/expected-date/1", {"content-type": "application/json"},
                json.dumps(body))
    assert r.status == 200, r.body
    answer = r.json()
    for key in ("expectedDate", "expectedDateLow", "expectedDateHigh"):
        assert "2199-12-01" <= answer[key][:10] <= "2199-12-31", answer
    far = {**body, "history": [{**body["history"][0], "settledDate": "9999-12-31"}]}
    r = request(svc.port, "POST", "/api/expected-date/1", {"content-type": "application/json"},
                json.dumps(far))
    assert r.status == 400
    assert r.json()["error"]["field"] == "history[0].settledDate"
