"""The whole system plus the webapp service behind the gateway, and one headless chromium.

Module-scoped: starting chromium costs about a second, the services a little less; the tests
of test_app.py run in file order against one stack and one browser, as one person's session."""

import datetime
import os
import pathlib
import shutil
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "functional"))

import harness  # noqa: E402
from harness import ROOT, TOKEN, Service, post_json, write_routes  # noqa: E402

STATIC_DIR = ROOT / "services" / "webapp" / "static"
DEMO_MODEL = ROOT / "services" / "expected_date_svc" / "model" / "demo-model.json"
SCREENSHOTS = pathlib.Path(os.environ.get("TIM_SCREENSHOT_DIR", ROOT / "build" / "screenshots"))
XSS_NAME = "<img src=x onerror=alert(1)>"


def _days(n):
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


# (ref, customerId, customerName, ccy, amount, issued days ago, due in days)
INVOICES = [
    ("INV-1001", "C-ACME", "Acme Ltd", "GBP", 120000, 90, -45),
    ("INV-1002", "C-ACME", "Acme Ltd", "GBP", 80000, 10, 20),
    ("INV-1003", "C-GLOBEX", "Globex Corporation", "USD", 250000, 40, -5),
    ("INV-1004", "C-GLOBEX", "Globex Corporation", "USD", 43050, 5, 25),
    ("INV-1005", "C-INITECH", "Initech", "EUR", 99900, 3, 27),
    ("INV-1006", "C-UMBRELLA", "Umbrella plc", "GBP", 1500000, 20, 10),
    ("INV-1007", "C-XSS", XSS_NAME, "GBP", 4200, 15, 15),
    ("INV-1008", "C-HOOLI", "Hooli", "GBP", 310000, 60, -30),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stack")
    started = []

    def start(name, env):
        s = Service(name, env)
        started.append(s)
        return s

    try:
        predictor = start("expected_date_svc", {"MODEL_FILE": str(DEMO_MODEL)})
        auth = start("auth_svc", {"TOKEN": TOKEN})
        invoices = start("invoices_svc", {"EXPECTED_DATE_URI": f"http://127.0.0.1:{predictor.port}",
                                          "DATA_DIR": str(tmp / "data"), "SEED_DEMO_DATA": "false"})
        webapp = start("webapp", {"STATIC_DIR": str(STATIC_DIR)})
        gateway = start("gateway", {
            "ROUTES_FILE": str(write_routes(tmp)),
            "UPSTREAMS": (f"invoices-svc=127.0.0.1:{invoices.port},auth-svc:3000=127.0.0.1:{auth.port},"
                          f"webapp=127.0.0.1:{webapp.port}"),
        })
        ids = {}
        # Enough of one customer's invoices for a second page of the list (25 a page).
        bulk = [(f"INV-2{n:03d}", "C-BULK", "Bulk Buyer", "GBP", 1000 + n, 30, n) for n in range(20)]
        for ref, cid, name, ccy, amount, issued, due in INVOICES + bulk:
            r = post_json(gateway.port, "/invoices/", {
                "ref": ref, "customerId": cid, "customerName": name, "ccy": ccy, "amount": amount,
                "issueDate": _days(-issued), "dueDate": _days(due)}, {"authorization": TOKEN})
            assert r.status == 201, r.body
            ids[ref] = r.json()["id"]

        class Stack:
            pass

        Stack.predictor, Stack.auth, Stack.invoices, Stack.webapp, Stack.gateway = (
            predictor, auth, invoices, webapp, gateway)
        Stack.ids = ids
        Stack.url = f"http://127.0.0.1:{gateway.port}/app/"
        yield Stack
    finally:
        for s in reversed(started):
            s.stop()
        for s in started:
            s.check_stopped()
            harness.STARTED.remove(s)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    for tool in ("chromium", "chromedriver"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: scripts/setup-deps.sh browser", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", "--lang=en-GB", "--no-first-run",
                "--disable-extensions", "--disable-background-networking"):
        options.add_argument(arg)
    # The network log: which headers the app's requests carried (Idempotency-Key).
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=DriverService(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(20)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()
