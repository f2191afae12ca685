#!/usr/bin/env python3
"""Phone-width captures of a running dondoc (390 px, as the browser tests'
PHONE size): the menu, the page of a task reported done (as a leader) and
the administration page (as the admin).

It drives Debian's headless Chromium through chromedriver over WebDriver
with nothing but the standard library, so it runs against any dondoc
build, old or new (see before.sh, which makes the "before" pictures of the
user guides from the commit before the phone menu landed).

    python3 .ci/screenshots/capture.py --base http://127.0.0.1:18080 \
        --out docs/screenshots --suffix -before
"""

import argparse
import base64
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PHONE = (390, 844)


class Driver:
    """The few WebDriver commands the captures need."""

    def __init__(self, chromedriver, chromium):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [chromedriver, f"--port={port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{port}"
        self.profile = tempfile.TemporaryDirectory()
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--no-first-run",
                            "--lang=vi-VN", "--window-size=1280,900",
                            f"--user-data-dir={self.profile.name}",
                        ],
                    }
                }
            }
        }
        for _ in range(50):
            try:
                self.session = self.call("POST", "/session", caps)["sessionId"]
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("chromedriver did not start")

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}").get("value", {})

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def goto(self, url):
        self.s("POST", "/url", {"url": url})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def size(self, w, h):
        self.s("POST", "/window/rect", {"width": w, "height": h})
        time.sleep(0.3)

    def shot(self, path):
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        print("wrote", path)

    def quit(self):
        try:
            self.s("DELETE", "")
        finally:
            os.killpg(self.proc.pid, 15)
            self.proc.wait()
            self.profile.cleanup()


def login(d, base, username, password):
    # Signed out first: the site's cookies (the session is HttpOnly) go.
    d.goto(f"{base}/login")
    d.s("DELETE", "/cookie")
    d.goto(f"{base}/login")
    d.js(
        "document.getElementById('username').value = arguments[0];"
        "document.getElementById('password').value = arguments[1];"
        "document.querySelector(\"form[action='/login']\").submit();",
        username, password,
    )
    for _ in range(100):
        if "/login" not in d.s("GET", "/url"):
            return
        time.sleep(0.1)
    raise SystemExit(f"could not log in as {username}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", required=True, help="the running dondoc, e.g. http://127.0.0.1:18080")
    p.add_argument("--out", default="docs/screenshots")
    p.add_argument("--suffix", default="", help="added to each file name, e.g. -before")
    p.add_argument("--only", default="menu,task,admin")
    p.add_argument("--leader-password", default="lanhdao-demo-2026")
    p.add_argument("--admin-password", default="admin-demo-2026")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    a = p.parse_args()
    only = set(a.only.split(","))
    os.makedirs(a.out, exist_ok=True)
    out = lambda name: os.path.join(a.out, f"{name}{a.suffix}.png")
    d = Driver(a.chromedriver, a.chromium)
    try:
        d.size(*PHONE)
        login(d, a.base, "chutich", a.leader_password)
        if "menu" in only:
            # The page the browser test captures the phone menu on.
            d.goto(f"{a.base}/explanations")
            d.shot(out("phone-menu"))
        if "task" in only:
            d.goto(f"{a.base}/tasks?status=reported_done")
            href = d.js(
                "const a = Array.from(document.querySelectorAll('a[href^=\"/tasks/\"]'))"
                ".map(a => a.getAttribute('href')).find(h => /^\\/tasks\\/\\d+$/.test(h));"
                "return a || '';"
            )
            if not re.fullmatch(r"/tasks/\d+", href or ""):
                raise SystemExit("no task reported done in the list")
            d.goto(a.base + href)
            d.shot(out("task-reported-phone"))
        if "admin" in only:
            login(d, a.base, "admin", a.admin_password)
            d.goto(f"{a.base}/admin")
            d.shot(out("admin-phone"))
    finally:
        d.quit()


if __name__ == "__main__":
    sys.exit(main())
