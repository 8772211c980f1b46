#!/usr/bin/env python3
"""A TIM webhook receiver, standard library only.

    WEBHOOK_SECRET=whsec_... python3 webhook_receiver.py 9000

It checks every delivery's Tim-Signature (HMAC-SHA256 over "<t>.<body>" with the secret the
subscription answer showed once), refuses a timestamp more than 5 minutes away from its own
clock (a replayed old delivery), drops an event id it has already handled (deliveries are at
least once), and answers 2xx only once the event is handled: anything else makes TIM retry.
"""
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 5 * 60


class BadSignature(Exception):
    pass


def verify(secret, header, body, now=None, tolerance=TOLERANCE_SECONDS):
    """Checks a Tim-Signature header ("t=<unix seconds>,v1=<hex>") against the raw body
    (bytes). Returns the timestamp; raises BadSignature when it does not match or is too old."""
    if not header:
        raise BadSignature("no Tim-Signature header")
    fields = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        raise BadSignature("no timestamp in Tim-Signature") from None
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise BadSignature(f"timestamp {timestamp} is more than {tolerance} s away")
    signed = str(timestamp).encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    # Several v1 values may come while a secret is being rotated: any one may match.
    if not any(hmac.compare_digest(expected, v) for v in fields.get("v1", [])):
        raise BadSignature("signature does not match")
    return timestamp


def make_handler(secret, handle_event):
    seen = set()  # event ids already handled; a real receiver keeps them in its database

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                verify(secret, self.headers.get("Tim-Signature"), body)
            except BadSignature as e:
                return self._answer(400, str(e))
            event = json.loads(body)
            if event["id"] not in seen:
                handle_event(event)
                seen.add(event["id"])
            self._answer(204, "")

        def _answer(self, status, text):
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    secret = os.environ["WEBHOOK_SECRET"]

    def show(event):
        print(event["id"], event["type"], "invoice", event["invoiceId"],
              "balance", event["data"]["invoice"]["balance"], flush=True)

    ThreadingHTTPServer(("127.0.0.1", port), make_handler(secret, show)).serve_forever()


if __name__ == "__main__":
    main()
