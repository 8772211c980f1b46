"""Import is idempotent per file, on SQLite and (when TIM_TEST_DATABASE_URL is
set) PostgreSQL. The same file with the same key changes nothing; rows whose ref is already
stored are reported as duplicates and not created again."""
import concurrent.futures

import pytest

from harness import get, request

STAMP = "2026-01-01T00:00:00.000Z"
HEADER = ("id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
          "settledDate,payments,createdAt,updatedAt\r\n")


def row(n, ref):
    return f"{n},{ref},C-9,Nine Ltd,GBP,500,500,2026-11-01,2026-12-01,open,,,{STAMP},{STAMP}\r\n"


@pytest.fixture
def svc(services, store_env):
    return services.service("invoices_svc", store_env)


def import_file(svc, body, key=None):
    headers = {"content-type": "text/csv", **({"Idempotency-Key": key} if key else {})}
    r = request(svc.port, "POST", "/api/invoices/import", headers, body)
    assert r.status == 200, r.body
    return r


def stored(svc):
    return get(svc.port, "/api/invoices?customer=C-9&limit=500").json()["invoices"]


def test_the_same_file_with_the_same_key_changes_nothing(svc):
    body = HEADER + row(1, "F-1") + row(2, "F-2")
    first = import_file(svc, body, "file-1")
    before = stored(svc)
    events = get(svc.port, "/api/events?type=invoice.imported").json()["events"]
    again = import_file(svc, body, "file-1")
    assert again.header("idempotent-replayed") == "true"
    assert again.json() == first.json()
    assert first.json()["imported"] == 2 and first.json()["duplicateCount"] == 0
    assert stored(svc) == before
    assert get(svc.port, "/api/events?type=invoice.imported").json()["events"] == events


def test_rows_whose_ref_exists_are_reported_as_duplicates_not_created_again(svc):
    import_file(svc, HEADER + row(1, "F-1") + row(2, "F-2"))
    # Another key (or none): the same rows are found by ref, a new one is stored, and a ref
    # twice in one file is stored once.
    report = import_file(svc, HEADER + row(1, "F-1") + row(3, "F-3") + row(4, "F-2") + row(5, "F-3"),
                         "file-2").json()
    assert report["imported"] == 1
    assert report["duplicateCount"] == 3
    assert report["duplicates"] == [{"line": 2, "ref": "F-1"}, {"line": 4, "ref": "F-2"},
                                    {"line": 5, "ref": "F-3"}]
    assert sorted(i["ref"] for i in stored(svc)) == ["F-1", "F-2", "F-3"]
    unkeyed = import_file(svc, HEADER + row(1, "F-1")).json()
    assert (unkeyed["imported"], unkeyed["duplicateCount"]) == (0, 1)
    assert len(stored(svc)) == 3


def test_one_file_imported_at_once_under_different_keys_stores_each_ref_once(svc):
    body = HEADER + "".join(row(n, f"R-{n}") for n in range(1, 41))

    def attempt(n):
        return import_file(svc, body, f"race-{n}").json()

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        reports = list(pool.map(attempt, range(4)))
    assert sum(r["imported"] for r in reports) == 40
    assert sum(r["duplicateCount"] for r in reports) == 120
    assert len(stored(svc)) == 40
