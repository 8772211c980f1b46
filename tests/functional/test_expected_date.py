"""expected_date_svc: the tutorial's GET, the real prediction by POST, the model file, and the
offline train/evaluate commands of the real binary."""
import json
import shutil
import subprocess

from harness import BIN_DIR, ROOT, get, request, wait_for

DEMO_MODEL = ROOT / "services" / "expected_date_svc" / "model" / "demo-model.json"
DATA = ROOT / "data" / "accounts-receivable" / "WA_Fn-UseC_-Accounts-Receivable.csv"
BINARY = str(BIN_DIR / "expected_date_svc" / "expected_date_svc")

REQUEST = {
    "invoice": {"customerId": "0379-NEVHP", "issueDate": "2026-11-01", "dueDate": "2026-12-01",
                "amount": 12000, "ccy": "USD", "country": "391", "channel": "paper"},
    "history": [{"issueDate": f"2026-0{m}-01", "dueDate": f"2026-0{m}-28", "settledDate": f"2026-0{m + 1}-06",
                 "amount": 5000, "ccy": "USD", "channel": "paper"} for m in range(1, 8)],
    "asOf": "2026-11-02",
}


def predict(port, body, invoice_id=42):
    return request(port, "POST", f"/api/expected-date/{invoice_id}",
                   {"content-type": "application/json"}, body=json.dumps(body))


def test_prediction_from_the_model_with_interval_and_basis(services):
    svc = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
    r = predict(svc.port, REQUEST)
    assert r.status == 200
    body = r.json()
    assert list(body)[:2] == ["invoiceId", "expectedDate"]
    assert body["invoiceId"] == 42 and body["model"] == "trained"
    assert body["basis"] == "customer history with 7 paid invoices"
    assert body["expectedDateLow"] <= body["expectedDate"] <= body["expectedDateHigh"]
    # this customer paid about 9 days after the due date every time: the prediction says late
    assert body["expectedDate"] > "2026-12-01"
    ready = get(svc.port, "/readyz").json()
    assert "trained until" in ready["detail"]


def test_new_history_changes_the_next_prediction(services):
    svc = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
    early = dict(REQUEST, history=[dict(h, settledDate=h["issueDate"]) for h in REQUEST["history"]])
    late = predict(svc.port, REQUEST).json()["expectedDate"]
    assert predict(svc.port, early).json()["expectedDate"] < late
    newcomer = predict(svc.port, dict(REQUEST, history=[])).json()
    assert newcomer["basis"] == "population"


def test_without_a_model_the_fallback_rule_answers_and_readyz_says_so(services, tmp_path):
    broken = tmp_path / "model.json"
    broken.write_text("{ broken")
    svc = services.service("expected_date_svc", {"MODEL_FILE": str(broken)})
    r = predict(svc.port, REQUEST)
    assert r.status == 200 and r.json()["model"] == "fallback rule"
    ready = get(svc.port, "/readyz")
    assert ready.status == 200 and "fallback rule" in ready.json()["detail"]
    shutil.copy(DEMO_MODEL, broken)  # fixed without a restart: picked up by the reload
    wait_for(lambda: predict(svc.port, REQUEST).json()["model"] == "trained", timeout=20,
             what="the fixed model to be loaded")


def test_bad_prediction_requests_are_400_naming_the_field(services):
    svc = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
    bad = dict(REQUEST, invoice=dict(REQUEST["invoice"], dueDate="2026-13-01"))
    r = predict(svc.port, bad)
    assert r.status == 400
    assert "invoice.dueDate" in r.json()["error"]["message"]
    r = request(svc.port, "POST", "/api/expected-date/42", body="nope")
    assert r.status == 400
    assert predict(svc.port, REQUEST, invoice_id="x").status == 400
    assert svc.process.poll() is None


def test_train_and_evaluate_commands(tmp_path):
    model = tmp_path / "model.json"
    done = subprocess.run([BINARY, "train", "--csv", str(DATA), "--out", str(model), "--until", "2013-07-12"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([BINARY, "evaluate", "--csv", str(DATA), "--model", str(model),
                           "--test-from", "2013-07-12", "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ["mae_days", "median_ae_days", "within_3_days", "interval80_coverage"]:
        assert isinstance(metrics[key], float), key
    due_date_rule = next(b for b in metrics["baselines"] if b["rule"] == "due date")
    assert metrics["mae_days"] < due_date_rule["mae_days"]
    assert 0.7 <= metrics["interval80_coverage"] <= 0.9
    bad = subprocess.run([BINARY, "train"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "Usage:" in bad.stderr


def test_a_payment_recorded_now_changes_the_next_prediction(services, tmp_path):
    """The hand-over: invoices_svc tells the predictor the customer's paid invoices, so a
    payment recorded a second ago counts at once, with no retraining."""
    from harness import post_json
    predictor = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
    invoices = services.service("invoices_svc", {"DATA_DIR": str(tmp_path / "data"), "SEED_DEMO_DATA": "false",
                                                 "EXPECTED_DATE_URI": f"http://127.0.0.1:{predictor.port}"})
    customer = {"customerId": "C-LATE", "customerName": "Pays Late Ltd", "ccy": "GBP"}
    old = post_json(invoices.port, "/api/invoices", dict(customer, amount=1000, issueDate="2026-01-01",
                                                          dueDate="2026-01-31")).json()
    new = post_json(invoices.port, "/api/invoices", dict(customer, amount=2000, issueDate="2030-01-01",
                                                          dueDate="2030-01-31")).json()
    before = get(invoices.port, f"/api/invoices/{new['id']}").json()
    assert before["expectedDateBasis"] == "population"
    paid = post_json(invoices.port, f"/api/invoices/{old['id']}/payments", {"amount": 1000, "date": "2026-04-30"})
    assert paid.status == 200
    after = get(invoices.port, f"/api/invoices/{new['id']}").json()
    assert after["expectedDateBasis"] == "customer history with 1 paid invoice"
    # this customer paid 89 days after the due date: the next invoice is expected later
    assert after["expectedDate"] > before["expectedDate"]
    assert after["expectedDateLow"] <= after["expectedDate"] <= after["expectedDateHigh"]
    # a paid invoice has its settledDate, not a prediction
    settled = get(invoices.port, f"/api/invoices/{old['id']}").json()
    assert settled["settledDate"] == "2026-04-30" and "expectedDate" not in settled


def test_batch_answers_each_invoice_as_the_single_call_does(services):
    svc = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
    invoices = [dict(REQUEST["invoice"], customerId=c, dueDate=d)
                for c, d in [("0379-NEVHP", "2026-12-01"), ("NEW-ONE", "2026-12-10"),
                             ("0379-NEVHP", "2026-11-20")]]
    batch = {"asOf": REQUEST["asOf"], "histories": {"0379-NEVHP": {"history": REQUEST["history"]}},
             "items": [{"invoiceId": i + 1, "invoice": inv} for i, inv in enumerate(invoices)]}
    r = request(svc.port, "POST", "/api/expected-dates", {"content-type": "application/json"},
                body=json.dumps(batch))
    assert r.status == 200, r.body
    answers = r.json()["predictions"]
    assert [a["invoiceId"] for a in answers] == [1, 2, 3]
    for i, inv in enumerate(invoices):
        history = REQUEST["history"] if inv["customerId"] == "0379-NEVHP" else []
        single = predict(svc.port, {"invoice": inv, "history": history, "asOf": REQUEST["asOf"]},
                         invoice_id=i + 1).json()
        assert answers[i] == single
    assert r.json()["modelVersion"] == answers[0]["modelVersion"] != "fallback"


def test_batch_refuses_more_than_a_thousand_and_names_the_field(services):
    svc = services.service("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
    item = {"invoiceId": 1, "invoice": REQUEST["invoice"]}
    r = request(svc.port, "POST", "/api/expected-dates", {"content-type": "application/json"},
                body=json.dumps({"items": [item] * 1001}))
    assert r.status == 400 and r.json()["error"]["field"] == "items"
    ok = request(svc.port, "POST", "/api/expected-dates", {"content-type": "application/json"},
                 body=json.dumps({"items": [item] * 1000}))
    assert ok.status == 200 and len(ok.json()["predictions"]) == 1000
    bad = request(svc.port, "POST", "/api/expected-dates", {"content-type": "application/json"},
                  body=json.dumps({"items": [item, {"invoiceId": 2, "invoice": {}}]}))
    assert bad.status == 400 and bad.json()["error"]["field"] == "items[1].invoice.customerId"


def test_train_shows_progress_on_a_terminal_only(tmp_path):
    import os
    import pty
    args = [BINARY, "train", "--csv", str(DATA), "--out", str(tmp_path / "m.json")]
    piped = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""  # not a terminal: nothing
    leader, follower = pty.openpty()
    on_tty = subprocess.run(args, stdout=subprocess.PIPE, stderr=follower, timeout=120)
    os.close(follower)
    shown = os.read(leader, 4096).decode()
    os.close(leader)
    # Reading: rows, rows/s and the share of the file (as the import shows it; redrawn at most 4
    # times a second, so the first line is all a short file shows); then training.
    assert on_tty.returncode == 0 and "rows/s" in shown and "%" in shown, shown
    assert "training on " in shown, shown
    assert on_tty.stdout == piped.stdout.encode()  # the report is the same either way
    leader, follower = pty.openpty()
    quiet = subprocess.run(args + ["--quiet"], stdout=subprocess.PIPE, stderr=follower, timeout=120)
    os.close(follower)
    os.set_blocking(leader, False)
    try:
        said = os.read(leader, 4096)
    except (BlockingIOError, OSError):
        said = b""
    os.close(leader)
    assert quiet.returncode == 0 and said == b""


def test_evaluate_shows_progress_on_a_terminal_only(tmp_path):
    import os
    import pty
    model = tmp_path / "m.json"
    trained = subprocess.run([BINARY, "train", "--csv", str(DATA), "--out", str(model),
                              "--until", "2013-07-12"], capture_output=True, text=True, timeout=120)
    assert trained.returncode == 0, trained.stderr
    args = [BINARY, "evaluate", "--csv", str(DATA), "--model", str(model),
            "--test-from", "2013-07-12"]
    piped = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""  # not a terminal: nothing
    leader, follower = pty.openpty()
    on_tty = subprocess.run(args, stdout=subprocess.PIPE, stderr=follower, timeout=120)
    os.close(follower)
    shown = b""
    os.set_blocking(leader, False)
    try:
        while chunk := os.read(leader, 65536):
            shown += chunk
    except (BlockingIOError, OSError):
        pass
    os.close(leader)
    shown = shown.decode()
    # A line for the file's rows, then one for the test invoices: rows, rows/s, share.
    assert on_tty.returncode == 0 and shown.count("rows/s") >= 2 and "%" in shown, shown
    assert on_tty.stdout == piped.stdout.encode()
