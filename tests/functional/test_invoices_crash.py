"""Exactly once under crashes. Two invoices_svc replicas on one store behind the
real gateway; replica A is built with failpoints (-DTIM_FAILPOINTS=ON, as scripts/test.sh builds)
and armed to exit right after a payment's commit, before its answer. On SQLite and (when
TIM_TEST_DATABASE_URL is set) PostgreSQL."""
import concurrent.futures

import pytest

from harness import TOKEN, gateway_over, get, post_json

NEW = {"customerId": "C-1", "customerName": "Acme Ltd", "ccy": "GBP", "amount": 12000,
       "issueDate": "2026-11-01", "dueDate": "2026-12-01"}
AUTH = {"authorization": TOKEN}
ARMED = {"TIM_FAILPOINTS": "exit_after_payment_commit"}


@pytest.fixture
def pair(services, store_env, tmp_path):
    auth = services.service("auth_svc", {"TOKEN": TOKEN})

    def start(arm):
        a = services.service("invoices_svc", {**store_env, **(ARMED if arm else {})})
        if arm and "failpoint armed" not in a.logs():
            pytest.skip("invoices_svc was built without -DTIM_FAILPOINTS=ON (scripts/test.sh sets it)")
        b = services.service("invoices_svc", store_env)
        gateway = gateway_over(tmp_path, [a.port, b.port], auth.port)
        return a, b, gateway

    return start


def new_invoice(gateway):
    r = post_json(gateway.port, "/invoices/", NEW, AUTH)
    assert r.status == 201, r.body
    return r.json()["id"]


def payments_of(b, invoice):
    return get(b.port, f"/api/invoices/{invoice}").json()["payments"]


def pay_until_a_dies(a, gateway, invoice, keyed):
    """Payments through the gateway until one reaches A, which then dies after its commit;
    returns the answers, the last one that of the payment A committed."""
    answers = []
    for n in range(6):
        headers = {**AUTH, **({"Idempotency-Key": f"pay-{n}"} if keyed else {})}
        answers.append(post_json(gateway.port, f"/invoices/{invoice}/payments",
                                 {"amount": 100, "date": "2026-12-01"}, headers))
        # Its log line is flushed before it exits, so before the gateway sees the connection
        # close: this request is the one that reached A (the exit itself may be reaped later).
        if "failpoint fired" in a.logs():
            a.process.wait(10)
            a.process.exit_expected = True
            return answers
    pytest.fail("the gateway never sent a payment to the armed replica")


def test_a_keyed_payment_is_resent_to_the_other_replica_and_stored_once(pair):
    a, b, gateway = pair(arm=True)
    invoice = new_invoice(gateway)
    answers = pay_until_a_dies(a, gateway, invoice, keyed=True)
    crashed = answers[-1]
    # The client never sees the crash: the gateway resent it to B, which found the key's stored
    # answer (A's commit) and replayed it instead of paying again.
    assert crashed.status == 200, crashed.body
    assert crashed.header("idempotent-replayed") == "true", (crashed.headers, crashed.body)
    assert crashed.json()["balance"] == 12000 - 100 * len(answers)
    assert len(payments_of(b, invoice)) == len(answers)  # each key paid exactly once


def test_without_a_key_the_payment_is_not_resent_and_never_doubled(pair):
    a, b, gateway = pair(arm=True)
    invoice = new_invoice(gateway)
    answers = pay_until_a_dies(a, gateway, invoice, keyed=False)
    assert all(r.status == 200 for r in answers[:-1])
    crashed = answers[-1]
    assert crashed.status >= 500, crashed.body  # the client sees an error
    stored = len(payments_of(b, invoice)) - (len(answers) - 1)
    assert stored in (0, 1)  # never 2: the gateway did not resend a POST without a key
    assert stored == 1  # the failpoint fires after the commit


def test_fifty_concurrent_identical_keyed_payments_through_two_replicas_pay_once(pair):
    _, b, gateway = pair(arm=False)
    invoice = new_invoice(gateway)
    headers = {**AUTH, "Idempotency-Key": "burst"}

    def attempt(_):
        return post_json(gateway.port, f"/invoices/{invoice}/payments",
                         {"amount": 100, "date": "2026-12-01"}, headers)

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(attempt, range(50)))
    ok = [r for r in answers if r.status == 200]
    busy = [r for r in answers if r.status == 409]
    assert len(ok) + len(busy) == 50, [r.status for r in answers]
    assert all(r.json()["error"]["code"] == "idempotency_key_in_progress" for r in busy)
    assert ok and all(r.json()["balance"] == 11900 for r in ok)
    assert len(payments_of(b, invoice)) == 1
