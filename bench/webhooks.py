#!/usr/bin/env python3
"""Webhook delivery throughput: how fast the outbox drains into a receiver on 127.0.0.1.

    flock /tmp/bench.lock python3 bench/webhooks.py [BIN_DIR] [EVENTS] [DATABASE_URL]

Starts invoices_svc (SQLite in a temporary DATA_DIR, or DATABASE_URL), subscribes a local
receiver that answers 204 at once, imports EVENTS invoices in one request (EVENTS
invoice.imported events, committed together) and prints how long the worker took from the
import's answer to the last delivery, and deliveries per second. Then it does the same with
the receiver answering 500 to the first attempt of each event (every event retried once).
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "release", "services")
EVENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
DATABASE_URL = sys.argv[3] if len(sys.argv) > 3 else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    def __init__(self, fail_first):
        self.seen, self.attempts, self.last = set(), 0, None
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                event = int(self.headers["Tim-Event-Id"])
                with receiver.lock:
                    receiver.attempts += 1
                    retry = fail_first and event not in receiver.tried
                    receiver.tried.add(event)
                    if not retry:
                        receiver.seen.add(event)
                        receiver.last = time.monotonic()
                self.send_response(500 if retry else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.tried = set()
        ThreadingHTTPServer.request_queue_size = 256  # socketserver's 5 resets a batch's connections
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def call(port, method, path, body=None, content_type="application/json"):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method,
                                 headers={"content-type": content_type})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")


def run(fail_first):
    port = free_port()
    env = {"PATH": os.environ["PATH"], "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "warn",
           "SEED_DEMO_DATA": "false", "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
           "WEBHOOK_RETRY_BASE_MS": "1", "WEBHOOK_RETRY_MAX_MS": "1", "WEBHOOK_POLL_MS": "50",
           "MAX_BODY_BYTES": str(64 << 20), "IMPORT_BATCH": "100000"}
    if "WEBHOOK_BATCH" in os.environ:
        env["WEBHOOK_BATCH"] = os.environ["WEBHOOK_BATCH"]
    data_dir = tempfile.mkdtemp(prefix="tim-bench-webhooks-")
    if DATABASE_URL:
        env["DATABASE_URL"] = DATABASE_URL
    else:
        env["DATA_DIR"] = data_dir
    log = open(os.path.join(data_dir, "invoices_svc.log"), "w")
    svc = subprocess.Popen([os.path.join(BIN, "invoices_svc", "invoices_svc")], env=env, stdout=log,
                           stderr=subprocess.STDOUT)
    try:
        for _ in range(200):
            try:
                call(port, "GET", "/readyz")
                break
            except Exception:
                time.sleep(0.05)
        receiver = Receiver(fail_first)
        call(port, "POST", "/api/webhooks", json.dumps(
            {"url": f"http://127.0.0.1:{receiver.server.server_address[1]}/", "events": ["*"]}).encode())
        rows = ["id,ref,customerId,customerName,ccy,amount,balance,issueDate,dueDate,status,"
                "settledDate,payments,createdAt,updatedAt"]
        stamp = "2026-01-01T00:00:00.000Z"
        tag = int(time.time() * 1000)
        for i in range(EVENTS):
            rows.append(f"{i + 1},B-{tag}-{i},C-{i % 50},Bench Ltd,GBP,1000,1000,2026-11-01,2026-12-01,open,,,"
                        f"{stamp},{stamp}")
        report = call(port, "POST", "/api/invoices/import", ("\r\n".join(rows) + "\r\n").encode(), "text/csv")
        assert report["imported"] == EVENTS, report
        start = time.monotonic()
        while len(receiver.seen) < EVENTS:
            if time.monotonic() - start > 600:
                raise SystemExit(f"only {len(receiver.seen)} of {EVENTS} delivered in 600 s")
            time.sleep(0.01)
        took = receiver.last - start
        label = "each event failed once, then delivered" if fail_first else "every attempt answered 204"
        label += f", WEBHOOK_BATCH={env.get('WEBHOOK_BATCH', 32)}"
        print(f"{'postgres' if DATABASE_URL else 'sqlite'}, {EVENTS} events, {label}: "
              f"{took:.2f} s, {EVENTS / took:.0f} deliveries/s, {receiver.attempts} attempts")
        receiver.server.shutdown()
    finally:
        svc.terminate()
        svc.wait(30)


if __name__ == "__main__":
    run(False)
    run(True)
