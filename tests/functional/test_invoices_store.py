"""invoices_svc over its store: demo data, nothing lost across restarts and kill -9, CSV export
and import, and what happens when the store is unreachable."""
import concurrent.futures
import csv
import io
import json
import signal
import subprocess

import pytest

from harness import BIN_DIR, closed_port, get, post_json, request, wait_for

NEW = {"customerId": "C-1", "customerName": "Acme Ltd", "ccy": "GBP", "amount": 12000,
       "issueDate": "2026-11-01", "dueDate": "2026-12-01"}
TUTORIAL_42 = {"id": 42, "ref": "INV-42", "amount": 4200, "balance": 4190, "ccy": "GBP"}


def first_five(body):
    return dict(list(body.items())[:5])


def test_an_empty_embedded_store_is_seeded_with_the_tutorials_invoices(services, tmp_path):
    svc = services.service("invoices_svc", {"DATA_DIR": str(tmp_path / "data")})
    assert first_five(get(svc.port, "/api/invoices/42").json()) == TUTORIAL_42
    assert get(svc.port, "/api/invoices/42").json()["status"] == "open"
    assert get(svc.port, "/api/invoices/1000").json()["ref"] == "INV-1000"
    assert get(svc.port, "/api/invoices/1001").status == 404
    # seeding happens once: a restart finds the store not empty and adds nothing
    svc.restart()
    assert get(svc.port, "/api/invoices/1001").status == 404
    assert (tmp_path / "data" / "invoices.db").exists()


def test_seeding_can_be_turned_off_and_turned_on_for_postgres(services, store_env):
    off = services.service("invoices_svc", store_env)
    assert get(off.port, "/api/invoices/42").status == 404
    off.stop()
    # SEED_DEMO_DATA only fills an empty store: this one is still empty, so it is seeded now
    on = services.service("invoices_svc", {**store_env, "SEED_DEMO_DATA": "true"})
    assert first_five(get(on.port, "/api/invoices/42").json()) == TUTORIAL_42


def test_data_survives_a_restart(services, store_env):
    svc = services.service("invoices_svc", store_env)
    inv = post_json(svc.port, "/api/invoices", NEW, {"Idempotency-Key": "k-1"}).json()
    paid = post_json(svc.port, f"/api/invoices/{inv['id']}/payments", {"amount": 500, "date": "2026-11-20"}).json()
    assert svc.stop() == 0
    svc.restart()
    assert get(svc.port, f"/api/invoices/{inv['id']}").json() == paid
    # the idempotency key is kept too
    again = post_json(svc.port, "/api/invoices", NEW, {"Idempotency-Key": "k-1"})
    assert again.json()["id"] == inv["id"]


def test_acknowledged_writes_survive_kill_9_under_load(services, store_env):
    svc = services.service("invoices_svc", store_env)
    acknowledged = []

    def writer(n):
        for i in range(1000):
            try:
                r = post_json(svc.port, "/api/invoices", {**NEW, "ref": f"W{n}-{i}"}, timeout=5)
            except OSError:
                return
            if r.status == 201:
                acknowledged.append(r.json())

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(writer, n) for n in range(4)]
        wait_for(lambda: len(acknowledged) >= 40, timeout=60, interval=0.005, what="40 acknowledged writes")
        svc.process.send_signal(signal.SIGKILL)
        for f in futures:
            f.result()
    svc.process.wait()
    svc.restart()
    for inv in acknowledged:
        assert get(svc.port, f"/api/invoices/{inv['id']}").json() == inv


def test_csv_export_and_import_round_trip(services, store_env, tmp_path):
    src = services.service("invoices_svc", store_env)
    a = post_json(src.port, "/api/invoices", {**NEW, "customerName": 'Quote "and", comma'}).json()
    b = post_json(src.port, "/api/invoices", {**NEW, "customerId": "C-2", "ccy": "JPY", "amount": 900}).json()
    post_json(src.port, f"/api/invoices/{b['id']}/payments", {"amount": 400, "date": "2026-11-02"})
    post_json(src.port, f"/api/invoices/{b['id']}/payments", {"amount": 500, "date": "2026-11-03"})
    c = post_json(src.port, "/api/invoices", NEW).json()
    request(src.port, "POST", f"/api/invoices/{c['id']}/void")

    by_accept = get(src.port, "/api/invoices", {"accept": "text/csv"})
    by_format = get(src.port, "/api/invoices?format=csv&limit=1")  # limit is a page size: all rows come
    assert by_accept.status == 200
    assert by_accept.header("content-type").startswith("text/csv")
    assert by_accept.body == by_format.body
    rows = list(csv.DictReader(io.StringIO(by_accept.body.decode())))
    assert [r["id"] for r in rows] == [str(a["id"]), str(b["id"]), str(c["id"])]
    assert rows[0]["customerName"] == 'Quote "and", comma'
    assert (rows[1]["status"], rows[1]["settledDate"], rows[1]["balance"]) == ("paid", "2026-11-03", "0")
    assert rows[2]["status"] == "void"
    paid_only = get(src.port, "/api/invoices?format=csv&status=paid").body.decode().splitlines()
    assert len(paid_only) == 2

    dst = services.service("invoices_svc", {"DATA_DIR": str(tmp_path / "other"), "SEED_DEMO_DATA": "false"})
    r = request(dst.port, "POST", "/api/invoices/import", {"content-type": "text/csv"}, by_accept.body)
    assert r.status == 200, r.body
    assert r.json() == {"imported": 3, "rejectedCount": 0, "rejected": [], "duplicateCount": 0, "duplicates": []}
    # The same file again: every ref is there already.
    again = request(dst.port, "POST", "/api/invoices/import", {"content-type": "text/csv"}, by_accept.body).json()
    assert (again["imported"], again["duplicateCount"]) == (0, 3)
    imported = get(dst.port, "/api/invoices").json()["invoices"]
    original = get(src.port, "/api/invoices").json()["invoices"]
    keep = ["ref", "customerId", "customerName", "ccy", "amount", "balance", "issueDate", "dueDate",
            "status", "payments", "settledDate"]
    assert [{k: i[k] for k in keep} for i in imported] == [{k: i[k] for k in keep} for i in original]


SAMPLE_HEADER = ("countryCode,customerID,PaperlessDate,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount,"
                 "Disputed,SettledDate,PaperlessBill,DaysToSettle,DaysLate")


def test_import_reports_bad_rows_by_line_and_keeps_the_good_ones(services, store_env):
    svc = services.service("invoices_svc", store_env)
    body = "\r\n".join([
        SAMPLE_HEADER,
        "391,0379-NEVHP,4/6/2013,0000611365,1/2/2013,2/1/2013,55.94,No,1/15/2013,Paper,13,0",
        "391,0379-NEVHP,4/6/2013,0000611366,1/2/2013,2/1/2013,-3,No,1/15/2013,Paper,13,0",
        "406,8976-AMJEO,3/3/2012,0007900770,1/26/2013,2/30/2013,61.74,Yes,3/3/2013,Electronic,36,6",
        "406,8976-AMJEO,3/3/2012,0007900771,1/26/2013,2/25/2013,61.74,Yes,3/3/2013,Electronic,36,6",
        "406,\"unclosed",
    ]) + "\r\n"
    r = request(svc.port, "POST", "/api/invoices/import?currency=GBP", {"content-type": "text/csv"}, body)
    assert r.status == 200, r.body
    report = r.json()
    assert report["imported"] == 2
    assert [row["line"] for row in report["rejected"]] == [3, 4, 6]
    assert all(row["message"].startswith(f"line {row['line']}") for row in report["rejected"])
    invoices = get(svc.port, "/api/invoices").json()["invoices"]
    assert [(i["ref"], i["amount"], i["ccy"], i["status"]) for i in invoices] == [
        ("0000611365", 5594, "GBP", "paid"), ("0007900771", 6174, "GBP", "paid")]
    assert request(svc.port, "POST", "/api/invoices/import?currency=XYZ", {}, body).status == 400


def test_import_command_loads_a_file_into_the_store(store_env, tmp_path, services):
    data = tmp_path / "in.csv"
    data.write_text(SAMPLE_HEADER + "\n"
                    "391,0379-NEVHP,4/6/2013,0000611365,1/2/2013,2/1/2013,55.94,No,1/15/2013,Paper,13,0\n"
                    "391,0379-NEVHP,4/6/2013,0000611366,1/2/2013,2/1/2013,oops,No,1/15/2013,Paper,13,0\n")
    env = {"PATH": "/usr/bin:/bin", **store_env}
    done = subprocess.run([str(BIN_DIR / "invoices_svc" / "invoices_svc"), "import", str(data)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert '"imported":1' in done.stdout and '"line":3' in done.stdout
    svc = services.service("invoices_svc", store_env)
    assert [i["ref"] for i in get(svc.port, "/api/invoices").json()["invoices"]] == ["0000611365"]


def test_an_unreachable_store_is_503_and_not_ready_never_a_crash(services):
    svc = services.service("invoices_svc", {
        "DATABASE_URL": f"postgres://tim:secret-pw@127.0.0.1:{closed_port()}/tim", "STORE_TIMEOUT_MS": "500"})
    # Valid requests, reads and writes: each needs the store, so each is a 503.
    for method, path, body in [("GET", "/api/invoices/42", None), ("GET", "/api/invoices", None),
                               ("POST", "/api/invoices", json.dumps(NEW)),
                               ("POST", "/api/invoices/1/payments", '{"amount":1,"date":"2026-11-20"}')]:
        r = request(svc.port, method, path, {"content-type": "application/json"}, body)
        assert r.status == 503, (method, path, r.status, r.body)
        assert r.json()["error"]["code"] == "store_unavailable"
    # Invalid input is still told apart from the outage.
    r = request(svc.port, "POST", "/api/invoices", {"content-type": "application/json"}, '{"amount":1}')
    assert r.status == 400, r.body
    ready = get(svc.port, "/readyz")
    assert ready.status == 503
    assert "store" in ready.json()["detail"]
    assert get(svc.port, "/healthz").status == 200
    assert svc.process.poll() is None
    assert "secret-pw" not in svc.logs()


def test_readiness_reports_the_store(services, store_env):
    svc = services.service("invoices_svc", store_env)
    r = get(svc.port, "/readyz")
    assert r.status == 200
    assert r.json()["status"] == "ready"
