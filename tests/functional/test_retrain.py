"""The model learns the store's own ledger. scripts/retrain.sh exports the store
through invoices_svc, trains on it and replaces the model file the running predictor re-reads."""
import os
import random
import subprocess

from harness import BIN_DIR, ROOT, get, post_json, wait_for


def test_after_retraining_a_customer_who_pays_20_days_late_is_predicted_late(services, tmp_path):
    model = tmp_path / "model.json"  # none yet: the fallback rule answers until retraining
    predictor = services.service("expected_date_svc", {"MODEL_FILE": str(model)})
    invoices = services.service("invoices_svc", {
        "DATA_DIR": str(tmp_path / "data"), "SEED_DEMO_DATA": "false",
        "EXPECTED_DATE_URI": f"http://127.0.0.1:{predictor.port}"})
    rnd = random.Random(20)

    def invoice(customer, month, day, late):
        due = f"2026-{month:02d}-{day:02d}"
        r = post_json(invoices.port, "/api/invoices", {
            "customerId": customer, "customerName": customer, "ccy": "EUR", "amount": 10000,
            "issueDate": f"2026-{month:02d}-01", "dueDate": due})
        assert r.status == 201, r.body
        settled = subprocess.run(["date", "-u", "-d", f"{due} + {late} days", "+%F"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        paid = post_json(invoices.port, f"/api/invoices/{r.json()['id']}/payments",
                         {"amount": 10000, "date": settled})
        assert paid.status == 200, paid.body

    for n in range(80):  # a store of punctual customers …
        invoice(f"P-{n % 8}", 1 + n % 10, 10 + n % 15, rnd.randint(-2, 2))
    for n in range(10):  # … and customer C, 20 days late every time
        invoice("C", 1 + n, 15, 20)
    env = dict(os.environ, INVOICES_URL=f"http://127.0.0.1:{invoices.port}/api/invoices", TOKEN="",
               MODEL_FILE=str(model),
               EXPECTED_DATE_SVC=str(BIN_DIR / "expected_date_svc" / "expected_date_svc"))
    run = subprocess.run([str(ROOT / "scripts" / "retrain.sh")], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "trained on 90 invoices of 9 customers" in run.stdout
    probe = {"invoice": {"customerId": "X", "issueDate": "2030-01-01", "dueDate": "2030-01-31",
                         "amount": 1, "ccy": "EUR"}}
    wait_for(lambda: post_json(predictor.port, "/api/expected-date/1", probe).json()["model"] == "trained",
             what="the predictor re-reading its model")
    assert "trained until" in get(predictor.port, "/readyz").json()["detail"]

    late = post_json(invoices.port, "/api/invoices", {
        "customerId": "C", "customerName": "C", "ccy": "EUR", "amount": 5000,
        "issueDate": "2030-01-01", "dueDate": "2030-01-31"}).json()
    newcomer = post_json(invoices.port, "/api/invoices", {
        "customerId": "NEW", "customerName": "New", "ccy": "EUR", "amount": 5000,
        "issueDate": "2030-01-01", "dueDate": "2030-01-31"}).json()
    c = get(invoices.port, f"/api/invoices/{late['id']}").json()
    assert c["expectedDateBasis"] == "customer history with 10 paid invoices"
    assert c["expectedDate"] >= "2030-02-15"  # about 20 days after its due date
    population = get(invoices.port, f"/api/invoices/{newcomer['id']}").json()
    assert population["expectedDateBasis"] == "population"
    assert population["expectedDate"] <= "2030-02-05"  # this store pays on time
