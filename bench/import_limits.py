"""Figures for the bounded imports: one invoices_svc (SQLite, demo data) on loopback.
Prints: the time and report size of one 1 MiB junk import; GET /api/invoices/42 median and p99
alone and while 4 clients keep posting 1 MiB junk imports; the imports' throughput meanwhile;
resident memory before, at peak and after. Run through bench/import_limits.sh."""
import concurrent.futures
import os
import pathlib
import statistics
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests" / "functional"))
from harness import Service, get, request, rss_kib  # noqa: E402
from test_import_limits import CSV, junk_csv  # noqa: E402

GETS = int(os.environ.get("GETS", "2000"))


def timed_gets(port, n):
    out = []
    for _ in range(n):
        start = time.perf_counter()
        assert get(port, "/api/invoices/42").status == 200
        out.append(time.perf_counter() - start)
    return out


def describe(samples):
    samples = sorted(samples)
    return (f"median {statistics.median(samples) * 1000:7.2f} ms  "
            f"p99 {samples[int(len(samples) * 0.99) - 1] * 1000:7.2f} ms")


def main():
    svc = Service("invoices_svc", {"STORE_THREADS": "4", "LOG_LEVEL": "warn"})
    try:
        body = junk_csv()
        rows = body.count(b"\n") - 1
        timed_gets(svc.port, 50)
        rss_before = rss_kib(svc.process.pid)
        start = time.perf_counter()
        r = request(svc.port, "POST", "/api/invoices/import", CSV, body, timeout=120)
        one = time.perf_counter() - start
        print(f"one junk import: {len(body)} bytes, {rows} rows -> {r.status}, "
              f"report {len(r.body)} bytes, {one * 1000:.0f} ms")
        alone = timed_gets(svc.port, GETS)
        stop, done, peak = threading.Event(), [], [rss_before]

        def keep_importing():
            while not stop.is_set():
                done.append(request(svc.port, "POST", "/api/invoices/import", CSV, body,
                                    timeout=120).status)

        with concurrent.futures.ThreadPoolExecutor(5) as pool:
            workers = [pool.submit(keep_importing) for _ in range(4)]

            def watch():
                while not stop.is_set():
                    peak[0] = max(peak[0], rss_kib(svc.process.pid))
                    time.sleep(0.01)

            pool.submit(watch)
            time.sleep(0.2)
            started, before_phase = time.perf_counter(), len(done)
            during = timed_gets(svc.port, GETS)
            elapsed, in_phase = time.perf_counter() - started, len(done) - before_phase
            stop.set()
            for w in workers:
                w.result()
        time.sleep(0.5)
        rss_after = rss_kib(svc.process.pid)
        print(f"GET /api/invoices/42 alone:               {describe(alone)}")
        print(f"GET /api/invoices/42 during 4 junk imports: {describe(during)}")
        print(f"imports finished during those GETs: {in_phase} in {elapsed:.1f} s "
              f"({in_phase / elapsed:.1f}/s); statuses {sorted(set(done))}")
        print(f"RSS: {rss_before / 1024:.1f} MiB before, {peak[0] / 1024:.1f} MiB peak, "
              f"{rss_after / 1024:.1f} MiB after")
    finally:
        svc.stop()


if __name__ == "__main__":
    main()
