#!/usr/bin/env python3
"""A real SMTP server for dondoc's tests (aiosmtpd), with a log the tests
use as their oracle.

    smtp_sink.py serve --port P --log FILE [--reject ADDR=CODE]... [--delay-ms N]
                       [--slow ADDR=SECONDS]... [--drop-after-data ADDR]...
                       [--refuse-sender CODE] [--mode-file FILE] [--max-size BYTES] [--no-parse]
    smtp_sink.py parse FILE.eml...

`serve` accepts every message and appends one JSON line per message it
received (after the final dot, *before* replying), with the headers and both
parts decoded, then:
  --reject ADDR=CODE      answers CODE (e.g. 550) to RCPT TO:<ADDR>
  --delay-ms N            waits N ms before answering each message's DATA
  --slow ADDR=SECONDS     waits that long before answering a message for ADDR
  --drop-after-data ADDR  logs the message, then drops the connection without
                          answering, the first time a message for ADDR comes
  --refuse-sender CODE    answers CODE to every MAIL FROM (nothing accepted)
  --mode-file FILE        read at every RCPT: `451` answers a transient
                          lookup failure naming the recipient, `550` a
                          permanent "user unknown" naming the recipient (a
                          server whose directory is down), anything else or
                          no file: as usual
  --max-size BYTES        refuses (552) messages larger than this; default
                          10 MB, Postfix's default message_size_limit
  --no-parse              logs envelope and size only (benchmarks: the
                          server's own work stays small)
Each record carries the message's size in bytes as received.
It prints READY on stdout once it accepts connections.

`parse` prints the same JSON for .eml files (the file transport's output).
"""

import argparse
import asyncio
import json
import sys
import time
from email import message_from_bytes, policy


def describe(raw: bytes) -> dict:
    msg = message_from_bytes(raw, policy=policy.default)
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    return {
        "message_id": str(msg.get("Message-ID", "")).strip(),
        "from": str(msg.get("From", "")),
        "to": str(msg.get("To", "")),
        "subject": str(msg.get("Subject", "")),
        "auto_submitted": str(msg.get("Auto-Submitted", "")),
        "reply_to": str(msg.get("Reply-To", "")),
        "date": str(msg.get("Date", "")),
        "text": text.get_content() if text is not None else None,
        "html": html.get_content() if html is not None else None,
    }


class Handler:
    def __init__(self, args):
        self.log = open(args.log, "a", encoding="utf-8")
        self.reject = dict(pair.split("=", 1) for pair in args.reject)
        self.slow = {k: float(v) for k, v in (p.split("=", 1) for p in args.slow)}
        self.drop = set(args.drop_after_data)
        self.dropped = set()
        self.delay = args.delay_ms / 1000.0
        self.refuse_sender = args.refuse_sender
        self.mode_file = args.mode_file
        self.no_parse = args.no_parse

    def mode(self):
        if not self.mode_file:
            return ""
        try:
            with open(self.mode_file, encoding="utf-8") as f:
                return f.read().strip()
        except FileNotFoundError:
            return ""

    def write(self, record):
        self.log.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.log.flush()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return f"{self.refuse_sender} 5.7.1 <{address}>: Sender address rejected"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mode = self.mode()
        if mode == "451":
            self.write({"event": "deferred", "rcpt": address, "code": 451})
            return f"451 4.3.0 <{address}>: Temporary lookup failure"
        if mode == "550":
            self.write({"event": "rejected", "rcpt": address, "code": 550, "wave": True})
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
        code = self.reject.get(address.lower()) or self.reject.get(address)
        if code:
            self.write({"event": "rejected", "rcpt": address, "code": int(code)})
            return f"{code} 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        record = {"event": "received", "mail_from": envelope.mail_from,
                  "rcpt_tos": list(envelope.rcpt_tos), "at": time.time(),
                  "size": len(envelope.original_content or envelope.content or b"")}
        if not self.no_parse:
            try:
                record.update(describe(envelope.content))
            except Exception as err:  # keep the oracle complete even for odd mail
                record["parse_error"] = repr(err)
        drop = [a for a in envelope.rcpt_tos if a in self.drop and a not in self.dropped]
        record["dropped"] = bool(drop)
        self.write(record)
        if drop:
            self.dropped.update(drop)
            session.peer  # noqa: B018 (keeps the session referenced)
            server.transport.abort()
            return "421 4.4.2 connection dropped by the test"
        wait = self.delay + max([self.slow.get(a, 0.0) for a in envelope.rcpt_tos] or [0.0])
        if wait > 0:
            await asyncio.sleep(wait)
        return "250 2.0.0 Ok: queued as " + record.get("message_id", "<x>").strip("<>")[:24]


def serve(args):
    from aiosmtpd.controller import Controller

    handler = Handler(args)
    controller = Controller(handler, hostname="127.0.0.1", port=args.port,
                            enable_SMTPUTF8=True, data_size_limit=args.max_size)
    controller.start()
    print("READY", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


def parse(args):
    for path in args.files:
        with open(path, "rb") as f:
            print(json.dumps(describe(f.read()), ensure_ascii=False))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--reject", action="append", default=[])
    s.add_argument("--slow", action="append", default=[])
    s.add_argument("--drop-after-data", action="append", default=[])
    s.add_argument("--delay-ms", type=int, default=0)
    s.add_argument("--refuse-sender", default="")
    s.add_argument("--mode-file", default="")
    s.add_argument("--max-size", type=int, default=10_000_000)
    s.add_argument("--no-parse", action="store_true")
    p = sub.add_parser("parse")
    p.add_argument("files", nargs="+")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args)
    else:
        parse(args)


if __name__ == "__main__":
    sys.exit(main())
