"""The browser app (services/webapp) in headless chromium, through the gateway, as a person
uses it: sign in, list, filter, page, open an invoice, pay, void, import, export, forecast,
and an invoice whose customer name is markup. Screenshots of each page at 1280 and 375 px go
to TIM_SCREENSHOT_DIR."""

import datetime
import json
import re

import pytest
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from conftest import SCREENSHOTS, XSS_NAME
from harness import TOKEN, get, raw_exchange

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def today(n=0):
    return (datetime.date.today() + datetime.timedelta(days=n)).isoformat()


def wait(driver, predicate, what, timeout=10):
    try:
        return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: predicate(d))
    except TimeoutException:
        main = css(driver, "main")
        pytest.fail(f"waiting for {what}; the page shows:\n{main[0].text if main else driver.page_source}")


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def text_of(driver, selector):
    """The text of the first match, "" when none (or when the page replaced it meanwhile)."""
    try:
        found = css(driver, selector)
        return found[0].text if found else ""
    except StaleElementReferenceException:
        return ""


def visit(driver, stack, route):
    driver.get(stack.url + route)


def heading_is(driver, text):
    return wait(driver, lambda d: text_of(d, "main h1") == text, f"the page '{text}'")


def settled(driver, what="the page to load"):
    """Until nothing on the page says it is loading."""
    wait(driver, lambda d: not css(d, "[aria-busy='true']"), what)


def screenshot(driver, name):
    """The whole page at desktop width and at 375 px; at 375 px nothing may stick out sideways."""
    for label, width, mobile in (("desktop", 1280, False), ("375", 375, True)):
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": mobile})
        if not mobile:  # the first screenful too (the README's picture)
            driver.save_screenshot(str(SCREENSHOTS / f"app-{name}-{label}-top.png"))
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": min(max(height, 600), 4000),
                                "deviceScaleFactor": 1, "mobile": mobile})
        if mobile:
            overflow = driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name}: the page is {overflow} px wider than a 375 px screen"
        driver.save_screenshot(str(SCREENSHOTS / f"app-{name}-{label}.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def assert_fields_labelled(driver):
    unlabelled = driver.execute_script("""
        return [...document.querySelectorAll('main input, main select, main textarea')]
          .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
          .map(e => e.outerHTML);""")
    assert unlabelled == [], unlabelled


def no_alert(driver):
    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return True
    text = alert.text
    alert.dismiss()
    pytest.fail(f"an alert ran: {text!r}")


def api_requests(driver, method, path_part):
    """The app's requests seen by chromium since the last call (performance log)."""
    found = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        request = message["params"]["request"]
        if request["method"] == method and path_part in request["url"]:
            found.append({k.lower(): v for k, v in request["headers"].items()})
    return found


def rows(driver):
    return css(driver, "table.list tbody tr")


def row_of(driver, ref):
    for row in rows(driver):
        if row.find_elements(By.LINK_TEXT, ref):
            return row
    return None


# --- the service and the gateway's /app/ Mapping ------------------------------------------------

def test_app_files_need_no_credentials_and_carry_the_security_headers(stack):
    port = stack.gateway.port
    r = get(port, "/app/")
    assert r.status == 200
    assert r.header("content-type") == "text/html; charset=utf-8"
    assert r.header("content-security-policy") == CSP
    assert r.header("x-content-type-options") == "nosniff"
    assert r.header("referrer-policy") == "no-referrer"
    html = r.body.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script in index.html"
    assert " style=" not in html
    js = get(port, "/app/app.js")
    assert js.status == 200 and js.header("content-type") == "text/javascript; charset=utf-8"
    assert get(port, "/app/app.js", {"if-none-match": js.header("etag")}).status == 304
    # The API behind the same gateway still needs credentials.
    assert get(port, "/invoices/").status == 401
    missing = get(port, "/app/nope.js")
    assert missing.status == 404 and json.loads(missing.body)["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/.%2E/etc/passwd",
                                  "/static%2f..%2f..%2fetc%2fpasswd", "/..%5c..%5cetc%5cpasswd",
                                  "/%252e%252e/etc/passwd", "/./index.html", "//etc/passwd"])
def test_no_path_leaves_the_app_folder(stack, path):
    """Straight to the webapp service (raw, so nothing normalises the path first) and through
    the gateway's /app/ Mapping: never a file outside the app, never the API without a key."""
    raw = raw_exchange(stack.webapp.port, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    status = int(raw.split(b" ", 2)[1])
    assert status in (400, 404), (path, raw[:200])
    assert b"root:" not in raw
    through = get(stack.gateway.port, "/app" + path)
    # The gateway resolves "/app/./index.html" to the app's own index first: that one may load.
    inside = path == "/./index.html" and through.body == get(stack.gateway.port, "/app/index.html").body
    assert through.status in (400, 401, 404) or inside, (path, through.status)
    assert b"root:" not in through.body and b'"invoices"' not in through.body


# --- the app in the browser -----------------------------------------------------------------------

def test_sign_in_refuses_a_wrong_key_in_words_then_accepts_the_token_from_the_keyboard(stack, browser):
    visit(browser, stack, "#/invoices")
    heading_is(browser, "Sign in")
    assert_fields_labelled(browser)
    assert not browser.find_element(By.ID, "sign-out").is_displayed()
    # What the first visit downloads (bodies as sent; the chart's module loads on the forecast
    # page only). Written next to the screenshots; the README quotes it.
    loaded = browser.execute_script("""
        return [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
          .map(e => [new URL(e.name).pathname, e.encodedBodySize]);""")
    total = sum(size for _, size in loaded)
    (SCREENSHOTS / "first-load.txt").write_text(
        "".join(f"{size:7d} {path}\n" for path, size in loaded) + f"{total:7d} total\n")
    assert {path for path, _ in loaded} == {"/app/", "/app/app.css", "/app/app.js", "/app/api.js", "/app/dom.js"}
    assert total < 64 * 1024, loaded
    screenshot(browser, "sign-in")
    field = browser.find_element(By.CSS_SELECTOR, "input[name=credential]")
    field.send_keys("not-a-real-key", Keys.ENTER)
    wait(browser, lambda d: "not accepted" in text_of(d, "[role=alert]"), "the refusal in words")
    field.clear()
    field.send_keys(TOKEN, Keys.ENTER)
    heading_is(browser, "Invoices")
    settled(browser)
    # Kept for the tab only: in sessionStorage, never in localStorage or a cookie.
    assert browser.execute_script("return sessionStorage.getItem('tim.credential')") == TOKEN
    assert browser.execute_script("return localStorage.length") == 0
    assert browser.get_cookies() == []


def test_list_shows_balances_expected_dates_and_marks_late_risk(stack, browser):
    visit(browser, stack, "#/invoices")
    heading_is(browser, "Invoices")
    settled(browser)
    assert len(rows(browser)) == 25  # a full first page
    assert "800.00 GBP" in row_of(browser, "INV-1002").text
    assert "430.50 USD" in row_of(browser, "INV-1004").text
    assert_fields_labelled(browser)
    screenshot(browser, "invoices")
    page = get(stack.gateway.port, "/invoices/?expand=expectedDate&limit=25", {"authorization": TOKEN})
    if page.status == 400:
        assert "not available" in text_of(browser, ".notice")
        pytest.skip("this invoices_svc has no expand=expectedDate (the forecast branch adds it); "
                    "the list says the dates are not available")
    assert page.status == 200
    marked = 0
    for inv in page.json()["invoices"]:
        row = row_of(browser, inv["ref"])
        expected_cell = row.find_element(By.CSS_SELECTOR, "td[data-label=Expected]").text
        late = (datetime.date.fromisoformat(inv["expectedDate"][:10])
                > datetime.date.fromisoformat(inv["dueDate"][:10]) + datetime.timedelta(days=7))
        assert inv["expectedDate"][:10] in expected_cell
        assert f"{inv['expectedDateLow'][:10]} – {inv['expectedDateHigh'][:10]}" in expected_cell
        assert ("late risk" in row.text) == late, (inv["ref"], inv["expectedDate"], inv["dueDate"])
        marked += late
    assert "late risk" in row_of(browser, "INV-1001").text  # 45 days overdue
    assert marked >= 1


def test_filters_and_the_cursor(stack, browser):
    visit(browser, stack, "#/invoices")
    settled(browser)
    # Page 2 through the cursor: the 28 invoices minus the first 25.
    browser.find_element(By.LINK_TEXT, "Next page").click()
    wait(browser, lambda d: "cursor=" in d.current_url and len(rows(d)) == 3, "the second page")
    assert not css(browser, "a[rel=next]")
    browser.find_element(By.LINK_TEXT, "First page").click()
    wait(browser, lambda d: len(rows(d)) == 25, "the first page again")

    customer = browser.find_element(By.CSS_SELECTOR, "input[name=customer]")
    customer.send_keys("C-ACME", Keys.ENTER)  # the keyboard submits the filter
    wait(browser, lambda d: len(rows(d)) == 2 and row_of(d, "INV-1001") and row_of(d, "INV-1002"),
         "Acme's two invoices")
    browser.find_element(By.CSS_SELECTOR, "select[name=status]").send_keys("paid")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait(browser, lambda d: "No invoices match" in text_of(d, ".results"), "no paid Acme invoice")

    browser.find_element(By.LINK_TEXT, "Clear").click()
    wait(browser, lambda d: len(rows(d)) == 25, "the unfiltered list")
    for name, value in (("due_from", today(9)), ("due_to", today(21))):
        box = browser.find_element(By.CSS_SELECTOR, f"input[name={name}]")
        browser.execute_script("arguments[0].value = arguments[1]", box, value)
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    # Due in 9…21 days: INV-1006 (10), INV-1007 (15), INV-1002 (20), and bulk ones due in 9…19.
    wait(browser, lambda d: "due_to" in d.current_url and not css(d, "[aria-busy='true']"), "the due range")
    refs = {r.find_element(By.CSS_SELECTOR, "td[data-label=Invoice]").text for r in rows(browser)}
    assert refs == {"INV-1006", "INV-1007", "INV-1002"} | {f"INV-2{n:03d}" for n in range(9, 20)}, refs


def test_invoice_page_records_payments_each_with_its_own_idempotency_key(stack, browser):
    visit(browser, stack, "#/invoices?customer=C-ACME")
    settled(browser)
    browser.find_element(By.LINK_TEXT, "INV-1002").click()
    heading_is(browser, "Invoice INV-1002")
    wait(browser, lambda d: text_of(d, "dd[data-field=balance]") == "800.00 GBP", "the balance")
    wait(browser, lambda d: css(d, "ol.events li"), "the invoice's history")
    assert_fields_labelled(browser)
    browser.get_log("performance")  # forget the requests so far
    for amount, balance in (("250.00", "550.00 GBP"), ("50", "500.00 GBP")):
        box = browser.find_element(By.CSS_SELECTOR, "input[name=amount]")
        box.send_keys(amount, Keys.ENTER)
        wait(browser, lambda d: text_of(d, "dd[data-field=balance]") == balance, f"balance {balance}")
        assert f"Balance now {balance}" in text_of(browser, "#status")
    assert len(css(browser, "table.payments tbody tr")) == 2
    posts = api_requests(browser, "POST", f"/invoices/{stack.ids['INV-1002']}/payments")
    keys = [h.get("idempotency-key") for h in posts]
    assert len(keys) == 2 and all(k and UUID.match(k) for k in keys) and keys[0] != keys[1], keys
    assert all(h.get("authorization") == TOKEN for h in posts)
    # A refusal is said in words and changes nothing.
    browser.find_element(By.CSS_SELECTOR, "input[name=amount]").send_keys("999999", Keys.ENTER)
    wait(browser, lambda d: "is more than the balance (500.00 GBP)" in text_of(d, "form [role=alert]"), "the refusal in words")
    assert text_of(browser, "dd[data-field=balance]") == "500.00 GBP"
    wait(browser, lambda d: len(css(d, "ol.events li")) >= 3, "the payments in the history")
    screenshot(browser, "invoice")

    # The same submission sent again after a failure keeps its key: applied once.
    browser.get_log("performance")
    stack.invoices.stop()
    box = browser.find_element(By.CSS_SELECTOR, "input[name=amount]")
    box.clear()
    box.send_keys("10", Keys.ENTER)
    wait(browser, lambda d: "unavailable" in text_of(d, "form [role=alert]") or "not answering" in text_of(d, "form [role=alert]"),
         "the failure in words")
    stack.invoices.restart()
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(browser, lambda d: text_of(d, "dd[data-field=balance]") == "490.00 GBP", "balance 490.00 GBP")
    keys = [h.get("idempotency-key") for h in api_requests(browser, "POST", f"/invoices/{stack.ids['INV-1002']}/payments")]
    assert len(keys) >= 2 and len(set(keys)) == 1 and UUID.match(keys[0]), keys


def test_void_an_invoice(stack, browser):
    visit(browser, stack, f"#/invoices/{stack.ids['INV-1005']}")
    heading_is(browser, "Invoice INV-1005")
    browser.find_element(By.CSS_SELECTOR, "label[for=void-confirm]").click()
    browser.find_element(By.CSS_SELECTOR, "button.danger").click()
    wait(browser, lambda d: text_of(d, "dd[data-field=status]") == "void", "the void status")
    assert not css(browser, "input[name=amount]")


def test_import_shows_its_report_and_export_downloads(stack, browser, tmp_path):
    stamp = "2026-01-01T00:00:00.000Z"
    csv = tmp_path / "invoices.csv"
    csv.write_text("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
                   "settledDate,payments,createdAt,updatedAt\r\n"
                   f"1,IMP-1,C-NEW,New Customer,GBP,5000,5000,{today(-5)},{today(25)},open,,,{stamp},{stamp}\r\n"
                   f"2,IMP-2,C-NEW,New Customer,GBP,lots,5000,{today(-5)},{today(25)},open,,,{stamp},{stamp}\r\n")
    visit(browser, stack, "#/import")
    heading_is(browser, "Import and export")
    assert_fields_labelled(browser)
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(csv))
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(browser, lambda d: text_of(d, "dd[data-field=imported]") == "1", "the import report")
    assert text_of(browser, "dd[data-field=rejected]") == "1"
    line, reason = [c.text for c in css(browser, "table.rejected tbody td")]
    assert line == "3" and "amount" in reason, (line, reason)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.find_element(By.XPATH, "//button[contains(., 'Export all invoices')]").click()
    wait(browser, lambda d: "Export ready" in text_of(d, "section.card .out"), "the export")
    size = int(re.search(r"\(([\d,]+) bytes\)", text_of(browser, "section.card .out")).group(1).replace(",", ""))
    export = get(stack.gateway.port, "/invoices/?format=csv", {"authorization": TOKEN})
    assert size == len(export.body) and b"IMP-1" in export.body
    saved = downloads / f"invoices-{today()}.csv"
    wait(browser, lambda d: saved.exists() and saved.stat().st_size == size, "the downloaded file")
    assert saved.read_bytes() == export.body
    screenshot(browser, "import")


def test_forecast_chart_and_table(stack, browser):
    visit(browser, stack, "#/forecast")
    heading_is(browser, "Cash-in forecast")
    settled(browser, "the forecast")
    assert_fields_labelled(browser)
    start = today()
    api = get(stack.gateway.port, f"/forecast/?from={start}&to={today(83)}&bucket=week", {"authorization": TOKEN})
    if api.status != 200:
        # The API is not on this branch yet: the page must say so in words, not go blank.
        message = text_of(browser, "[role=alert]")
        assert message, "the forecast page shows no error"
        screenshot(browser, "forecast-unavailable")
        pytest.skip(f"GET /forecast/ answers {api.status} on this branch (the forecast branch adds it); "
                    f"the page shows: {message!r}")
    body = api.json()
    series = {s["currency"]: s for s in body["series"]}
    sections = css(browser, "section.series")
    assert sorted(s.find_element(By.TAG_NAME, "h2").text for s in sections) == sorted(series)
    gbp = next(s for s in sections if s.find_element(By.TAG_NAME, "h2").text == "GBP")
    bars = gbp.find_elements(By.CSS_SELECTOR, "svg.chart g.bar")
    assert len(bars) == len(series["GBP"]["buckets"]) + 1
    assert gbp.find_elements(By.CSS_SELECTOR, "svg.chart g.bar.overdue")
    # The table: overdue, each week, later; the same figures as the API, and its total.
    table_rows = gbp.find_elements(By.CSS_SELECTOR, "table.forecast tbody tr")
    lines = [series["GBP"]["overdue"], *series["GBP"]["buckets"], series["GBP"]["later"]]
    assert len(table_rows) == len(lines)
    for row, line in zip(table_rows, lines):
        for figure in ("amount", "low", "high"):
            assert f"{line[figure] / 100:,.2f} GBP" in row.text, (figure, line, row.text)
    total = gbp.find_element(By.CSS_SELECTOR, "table.forecast tfoot").text
    assert f"{series['GBP']['total']['amount'] / 100:,.2f} GBP" in total
    assert sum(line["amount"] for line in lines) == series["GBP"]["total"]["amount"]
    screenshot(browser, "forecast")


def test_markup_in_data_is_shown_as_text_and_runs_nothing(stack, browser):
    visit(browser, stack, "#/invoices?customer=C-XSS")
    settled(browser)
    wait(browser, lambda d: len(rows(d)) == 1, "the one invoice")
    assert XSS_NAME in rows(browser)[0].find_element(By.CSS_SELECTOR, "td[data-label=Customer]").text
    assert css(browser, "img") == []
    no_alert(browser)
    browser.find_element(By.LINK_TEXT, "INV-1007").click()
    wait(browser, lambda d: XSS_NAME in text_of(d, "dd[data-field=customer]"), "the name as text")
    assert css(browser, "img") == []
    no_alert(browser)
    screenshot(browser, "xss")


def test_sign_out_forgets_the_credential(stack, browser):
    visit(browser, stack, "#/invoices")
    heading_is(browser, "Invoices")
    browser.find_element(By.ID, "sign-out").click()
    heading_is(browser, "Sign in")
    assert browser.execute_script("return sessionStorage.getItem('tim.credential')") is None
    visit(browser, stack, "#/import")
    heading_is(browser, "Sign in")
    browser.find_element(By.CSS_SELECTOR, "input[name=credential]").send_keys(TOKEN, Keys.ENTER)
    heading_is(browser, "Import and export")  # back where the person wanted to go


def test_an_api_failure_is_said_in_words(stack, browser):
    stack.invoices.stop()
    visit(browser, stack, "#/invoices")
    heading_is(browser, "Invoices")
    settled(browser)
    message = text_of(browser, "[role=alert]")
    assert re.search(r"not answering|unavailable|took too long|failed", message), message
    screenshot(browser, "error")
