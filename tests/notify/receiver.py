#!/usr/bin/env python3
"""A webhook receiver for the notification tests, as a receiving system would write one.

Checks each POST's X-Closeloop-Signature (HMAC-SHA256 over "<t>.<body>" with the shared
key, t within 5 minutes), counts deliveries by Idempotency-Key (a receiver deduplicates on
it), and misbehaves on demand. POST /control {"mode": ...} sets the mode:
  ok     answer 200 (the default)
  fail   answer 503 to the next `fail` deliveries, then 200
  hang   never answer (hold the connection 30 s, record nothing)
  stall  record the delivery, then hold the connection 30 s without answering
POSTs to /sms are an SMS gateway's: no signature, recorded under Idempotency-Key.
GET / answers the counts: {"posts", "bad_signatures", "keys": {key: n}, "bodies": {key: body}}.
Writes its port to --port-file once it listens.
"""
import argparse
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"posts": 0, "bad_signatures": 0, "keys": {}, "bodies": {}, "mode": "ok", "fail": 0}
SECRET = b""


def signature_ok(header, body):
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    t, v1 = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit() or abs(time.time() - int(t)) > 300:
        return False
    expected = hmac.new(SECRET, t.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, v1)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with LOCK:
            self.answer(200, {k: STATE[k] for k in ("posts", "bad_signatures", "keys", "bodies")})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/control":
            control = json.loads(body)
            with LOCK:
                STATE["mode"] = control.get("mode", "ok")
                STATE["fail"] = control.get("fail", 0)
            return self.answer(200, {"ok": True})
        key = self.headers.get("Idempotency-Key", "")
        signed = self.path == "/sms" or signature_ok(
            self.headers.get("X-Closeloop-Signature", ""), body)
        with LOCK:
            STATE["posts"] += 1
            mode = STATE["mode"]
            failing = mode == "fail" and STATE["fail"] > 0
            if failing:
                STATE["fail"] -= 1
            if not signed:
                STATE["bad_signatures"] += 1
        if not signed:
            return self.answer(401, {"error": "bad signature"})
        if failing:
            return self.answer(503, {"error": "failing on purpose"})
        if mode == "hang":
            time.sleep(30)
            return
        with LOCK:
            STATE["keys"][key] = STATE["keys"].get(key, 0) + 1
            STATE["bodies"][key] = json.loads(body) if self.path != "/sms" else body.decode()
        if mode == "stall":
            time.sleep(30)
            return
        self.answer(200, {"ok": True})


def main():
    global SECRET
    ap = argparse.ArgumentParser()
    ap.add_argument("--secret", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    SECRET = args.secret.encode()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
