#!/usr/bin/env python3
"""An SMTP server for the notification tests (aiosmtpd, Debian's python3-aiosmtpd).

Every message received is decoded with Python's own e-mail parser (so a wrongly encoded
subject or body shows) and saved as OUT/<n>.json: {"from", "to", "subject", "body",
"raw_headers_ascii", "message_id"}. Writes its port to --port-file once it listens.
"""
import argparse
import email
import json
import os
import socket
import threading
from email import policy

from aiosmtpd.controller import Controller


class Saver:
    def __init__(self, out):
        self.out = out
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        head = raw.split(b"\r\n\r\n", 1)[0]
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "body": msg.get_content(),
            "message_id": str(msg["message-id"]),
            "raw_headers_ascii": all(b < 128 for b in head),
        }
        with self.lock:
            self.n += 1
            path = os.path.join(self.out, "%d.json" % self.n)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(path + ".tmp", path)
        return "250 Message accepted"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    controller = Controller(Saver(args.out), hostname="127.0.0.1", port=port)
    controller.start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.replace(args.port_file + ".tmp", args.port_file)
    threading.Event().wait()


if __name__ == "__main__":
    main()
