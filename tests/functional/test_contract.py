"""contract.py, the check harness.request() runs on every answer, finds what it must."""

import json

import contract

JSON = {"content-type": ["application/json"]}
INVOICE = {
    "id": 5, "ref": "INV-5", "amount": 500, "balance": 490, "ccy": "GBP",
    "expectedDate": "2026-12-09T00:00:00Z", "customerId": "C-1", "customerName": "Demo",
    "issueDate": "2026-11-01", "dueDate": "2026-12-01", "status": "open",
    "payments": [{"id": 1, "kind": "payment", "amount": 10, "date": "2026-11-05"}],
    "settledDate": None, "settledBy": None,
    "createdAt": "2026-11-01T09:00:00Z", "updatedAt": "2026-11-05T10:30:00Z",
}


JSON_ETAG = {"content-type": ["application/json"], "etag": ['"5.1"']}


def check(method, path, status, body, headers=JSON_ETAG):
    return contract.problems(method, path, status, headers, json.dumps(body).encode())


def test_paths_map_onto_the_document_as_a_client_writes_them():
    assert contract.document_path("/invoices/5") == "/invoices/{id}"
    assert contract.document_path("/api/invoices/5") == "/invoices/{id}"
    assert contract.document_path("/api/invoices") == "/invoices/"
    assert contract.document_path("/api/invoices/?limit=2") == "/invoices/"
    assert contract.document_path("/api/invoices/import?currency=USD") == "/invoices/import"
    assert contract.document_path("/api/invoices/7/payments/1/reversal") == (
        "/invoices/{id}/payments/{paymentId}/reversal")
    assert contract.document_path("/api/expected-date/3") == "/api/expected-date/{invoiceId}"
    assert contract.document_path("/no/such/path") is None


def test_a_documented_answer_passes():
    assert check("GET", "/api/invoices/5", 200, INVOICE) == []
    assert check("GET", "/invoices/?limit=1", 200, {"invoices": [INVOICE], "next": None}) == []
    assert check("GET", "/invoices/x", 400,
                 {"error": {"code": "invalid_invoice_id", "message": "bad id"}}) == []
    assert check("GET", "/invoices/5", 401, {"ok": False},
                 dict(JSON, **{"www-authenticate": ['Bearer realm="tim"']})) == []


def test_an_undocumented_field_fails():
    found = check("GET", "/invoices/5", 200, dict(INVOICE, secret="x"))
    assert len(found) == 1 and "'secret' was unexpected" in found[0]


def test_a_missing_or_mistyped_field_fails():
    missing = dict(INVOICE)
    del missing["balance"]
    assert "'balance' is a required property" in check("GET", "/invoices/5", 200, missing)[0]
    assert "is not of type 'integer'" in check("GET", "/invoices/5", 200,
                                               dict(INVOICE, amount="500"))[0]
    assert check("GET", "/invoices/5", 404, {"error": {"code": "not_found"}}) != []


def test_an_undocumented_status_fails():
    assert check("GET", "/invoices/5", 418, {}) == [
        "GET /invoices/5 (docs/openapi.yaml /invoices/{id} get): status 418 is not documented"]
    assert check("POST", "/api/invoices/5/void", 201, INVOICE) != []


def test_undocumented_paths_and_text_bodies_are_left_to_other_tests():
    assert check("DELETE", "/invoices/5", 405, {"whatever": 1}) == []
    assert contract.problems("GET", "/invoices/5", 504, {"content-type": ["text/plain"]},
                             b"upstream request timeout") == []


def test_a_missing_required_header_fails():
    assert check("GET", "/invoices/5", 200, INVOICE, JSON) == [
        "GET /invoices/5 (docs/openapi.yaml /invoices/{id} get): status 200 lacks the required "
        "header ETag"]
    created = check("POST", "/invoices/", 201, INVOICE)
    assert created == ["POST /invoices/ (docs/openapi.yaml /invoices/ post): status 201 lacks "
                       "the required header Location"]
    assert "lacks the required header WWW-Authenticate" in check("GET", "/invoices/5", 401,
                                                                 {"ok": False})[0]
    bad_etag = dict(JSON, etag=["5.1"])
    assert "does not match" in check("GET", "/invoices/5", 200, INVOICE, bad_etag)[0]
