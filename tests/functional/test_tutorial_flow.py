"""The tutorial's requests, through the real gateway, auth, invoices and expected-date services."""
import datetime

from harness import TOKEN, get

TUTORIAL_42 = {"id": 42, "ref": "INV-42", "amount": 4200, "balance": 4190, "ccy": "GBP"}


def parse_instant(text):
    assert text.endswith("Z"), text
    return datetime.datetime.fromisoformat(text[:-1]).replace(tzinfo=datetime.timezone.utc)


def test_magic_header_gets_the_invoice_with_an_expected_date(chain):
    today = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    r = get(chain.gateway.port, "/invoices/42", {"authorization": TOKEN})
    assert r.status == 200
    body = r.json()
    # the tutorial's fields first, in its order, then the store's own
    assert list(body.items())[:5] == list(TUTORIAL_42.items())
    assert list(body)[5] == "expectedDate"
    expected = body["expectedDate"]
    # an open invoice is predicted to be paid today at the earliest (never in the past),
    # inside its 80% interval
    assert today <= parse_instant(expected) <= today + datetime.timedelta(days=366)
    low, high = parse_instant(body["expectedDateLow"]), parse_instant(body["expectedDateHigh"])
    assert low <= parse_instant(expected) <= high
    assert r.header("content-type") == "application/json"


def test_without_the_header_the_gateway_says_not_ok(chain):
    r = get(chain.gateway.port, "/invoices/42")
    assert r.status == 401
    assert r.json() == {"ok": False}
    assert r.header("www-authenticate")


def test_bearer_form_is_accepted_and_a_wrong_token_is_not(chain):
    assert get(chain.gateway.port, "/invoices/10", {"authorization": f"Bearer {TOKEN}"}).status == 200
    wrong = get(chain.gateway.port, "/invoices/10", {"authorization": "letmeinplease"})
    assert wrong.status == 401
    assert wrong.json() == {"ok": False}


def test_invoice_10_as_in_the_tutorial(chain):
    r = get(chain.gateway.port, "/invoices/10", {"authorization": TOKEN})
    body = r.json()
    assert list(body.items())[:5] == [("id", 10), ("ref", "INV-10"), ("amount", 1000), ("balance", 990),
                                      ("ccy", "GBP")]
    assert "expectedDate" in body


def test_each_service_alone_as_in_the_tutorial(chain):
    assert get(chain.invoices.port, "/api/invoices/1").json()["ref"] == "INV-1"
    d = get(chain.expected_date.port, "/api/expected-date/7").json()
    assert d["invoiceId"] == 7 and parse_instant(d["expectedDate"])
    assert get(chain.auth.port, "/anything", {"authorization": TOKEN}).json() == {"ok": True}


def test_back_end_is_not_reachable_through_the_gateway(chain):
    for path in ["/api/expected-date/1", "/expected-date/1", "/api/invoices/42"]:
        r = get(chain.gateway.port, path, {"authorization": TOKEN})
        assert r.status == 404, path
        assert r.body == b""


def test_every_service_has_health_endpoints(chain):
    for s in [chain.gateway, chain.auth, chain.invoices, chain.expected_date]:
        assert get(s.admin_port, "/healthz").json() == {"status": "ok"}
        assert get(s.admin_port, "/readyz").json()["status"] == "ready"


def test_one_json_log_line_per_request_with_the_gateway_request_id(chain):
    get(chain.gateway.port, "/invoices/42", {"authorization": TOKEN, "x-request-id": "client-made-up"})
    gateway_lines = chain.gateway.wait_for_log(lambda l: l.get("msg") == "request")
    invoice_lines = chain.invoices.wait_for_log(lambda l: l.get("msg") == "request")
    request_id = gateway_lines[-1]["request_id"]
    assert request_id != "client-made-up"
    assert invoice_lines[-1]["request_id"] == request_id
    for field in ["time", "service", "method", "path", "status", "duration_us"]:
        assert field in gateway_lines[-1]
    assert TOKEN not in chain.gateway.logs() + chain.auth.logs() + chain.invoices.logs()
