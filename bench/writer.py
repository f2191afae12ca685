#!/usr/bin/env python3
"""A steady background writer for the read runs: PATCHes open tasks at a
fixed rate (default 20 a second, one connection), as department staff do
while leaders read, so every read run is measured with the figures moving.

    writer.py BASE_URL TOKEN IDS RATE COUNT_FILE

Runs until killed (SIGTERM); then writes "sent ok failed seconds
slowest_ms" to COUNT_FILE (slowest_ms: the longest any one PATCH took).
"""

import http.client
import json
import random
import signal
import sys
import time
from urllib.parse import urlparse

base, token, ids, rate, count_file = sys.argv[1:6]
ids = [int(i) for i in ids.split(",") if i]
rate = float(rate)
url = urlparse(base)
sent = ok = failed = 0
slowest = 0.0
started = time.monotonic()
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
next_at = time.monotonic()
while running:
    task = random.choice(ids)
    body = json.dumps({"progress": 10 + (sent % 9) * 10} if sent % 2 == 0 else {"note": "Đã đôn đốc, đơn vị đang triển khai"})
    began = time.monotonic()
    try:
        conn.request("PATCH", f"/api/v1/tasks/{task}", body=body.encode(),
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        sent += 1
        if 200 <= response.status < 300:
            ok += 1
        else:
            failed += 1
    except Exception:
        sent += 1
        failed += 1
        conn.close()
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    slowest = max(slowest, time.monotonic() - began)
    next_at += 1.0 / rate
    pause = next_at - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    else:
        next_at = time.monotonic()
with open(count_file, "w") as f:
    f.write(f"{sent} {ok} {failed} {time.monotonic() - started:.3f} {slowest * 1000:.1f}\n")
