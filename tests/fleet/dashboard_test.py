#!/usr/bin/env python3
"""The dashboard page (--html of triage and history) in a real browser (issue 19).

Triages the real sample cores (two runs of every sample program, half of them seen before, so
both NEW and KNOWN show, and one file that is no core), writes the JSON report and the page at
once, opens the page in headless Chromium (Debian's chromium), and checks:
  - the script ran and said nothing on the console (no error, no refused load);
  - the groups in the DOM, in order, with their counts, statuses, totals, dumps and stacks, and
    the summary and the "not analysed" rows, are the JSON report's;
  - the text filter and the status choice (from the address: #filter=...&status=...) hide
    exactly the groups that do not match;
  - `corelens history --html` shows the history's signatures and counts, as its JSON does;
  - the page loads nothing: no src or href attribute at all.
A missing Chromium fails the test.

usage: dashboard_test.py CORELENS CORES_DIR [--screenshot PNG]
"""
import html.parser
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic", "--enable-logging=stderr", "--v=0"]
SAMPLES = ["null_read", "wild_write", "readonly_write", "assert_fail", "uncaught_exception", "stack_overflow",
           "divide_by_zero", "illegal_instruction", "threads_blocked", "inlined_o2", "heap_corruption",
           "stack_smashing", "killed_by_signal", "null_call", "null_member", "uncaught_derived"]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message)


def chromium(url, work, extra=()):
    """The DOM after the page's script ran, and Chromium's console lines."""
    exe = shutil.which("chromium")
    if exe is None:
        print("FAIL: no chromium (apt-get install chromium; .ci/install-deps does)")
        sys.exit(1)
    profile = tempfile.mkdtemp(dir=work)
    r = subprocess.run([exe, *CHROMIUM_FLAGS, "--user-data-dir=" + profile, *extra, url],
                       capture_output=True, text=True, timeout=120)
    console = [line for line in r.stderr.splitlines() if ":CONSOLE" in line]
    if r.returncode != 0:
        print(r.stderr[-3000:])
    check(r.returncode == 0, "chromium exited with %d on %s" % (r.returncode, url))
    return r.stdout, console


class Dom(html.parser.HTMLParser):
    """The groups of a dashboard page, as the DOM has them after the script ran."""

    def __init__(self):
        super().__init__()
        self.groups, self.ready, self.summary, self.shown, self.not_analysed, self.links = [], None, "", "", [], []
        self.stack = []  # (tag, class) of the open elements
        self.text_target = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "")
        for name in ("src", "href"):
            if name in a:
                self.links.append((tag, name, a[name]))
        if tag == "html":
            self.ready = a.get("data-ready")
        if tag == "section" and "group" in cls.split():
            self.groups.append({"hash": a.get("data-hash"), "count": a.get("data-count"),
                                "status": a.get("data-status"), "hidden": "hidden" in a, "shown_count": "",
                                "badge": "", "total": "", "stack": [], "dumps": []})
        target = None
        if tag == "span" and a.get("id") == "summary":
            target = "summary"
        elif tag == "span" and a.get("id") == "shown":
            target = "shown"
        elif self.groups and tag == "span" and cls == "count":
            target = "shown_count"
        elif self.groups and tag == "span" and cls.startswith("badge"):
            target = "badge"
        elif self.groups and tag == "span" and cls == "total":
            target = "total"
        elif tag == "li" and self.stack and self.stack[-1][1] in ("stack", "dumps"):
            target = self.stack[-1][1]
            self.groups[-1][target].append("")
        elif tag == "tr" and self.stack and "not-analysed" in [c for _, c in self.stack]:
            self.not_analysed.append([])
        elif tag == "td" and self.not_analysed:
            self.not_analysed[-1].append("")
            target = "td"
        self.stack.append((tag, cls))
        self.text_target = target

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        self.text_target = None

    def handle_data(self, data):
        t = self.text_target
        if t == "summary":
            self.summary += data
        elif t == "shown":
            self.shown += data
        elif t in ("shown_count", "badge", "total"):
            self.groups[-1][t] += data
        elif t in ("stack", "dumps"):
            self.groups[-1][t][-1] += data
        elif t == "td":
            self.not_analysed[-1][-1] += data


def parse(dom_text):
    d = Dom()
    d.feed(dom_text)
    return d


def run(cmd, cwd):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    return r.stdout, r.returncode, r.stderr


def main():
    corelens, cores = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    screenshot = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--screenshot" else None
    work = tempfile.mkdtemp(prefix="corelens-dashboard-")
    try:
        # Copies, written on different days of the last two weeks, so the chart has days to
        # show (a core's time is its mtime; a copy keeps the original's bytes and so its key).
        names = []
        now = time.time()
        for m, method in enumerate(("auto", "gcore")):
            for i, s in enumerate(SAMPLES):
                name = "%s-%s.core" % (method, s)
                shutil.copyfile(os.path.join(cores, method, s + ".core"), os.path.join(work, name))
                days_ago = (i * (3 + 2 * m)) % 14
                os.utime(os.path.join(work, name), (now - days_ago * 86400, now - days_ago * 86400))
                names.append(name)
        with open(os.path.join(work, "notes.txt"), "w") as f:
            f.write("not a core\n")
        db = "history.sqlite"
        # Half the samples seen before: their groups are KNOWN, the others NEW.
        seen_before = ["gcore-%s.core" % s for s in SAMPLES[::2]]
        _, rc, err = run([corelens, "triage", "--no-progress", "--db", db, *seen_before], work)
        check(rc == 0, "first triage: %d %s" % (rc, err))
        out, rc, err = run([corelens, "triage", "--no-progress", "--format", "json", "--db", db, "--html", "page.html",
                            *names, "notes.txt"], work)
        check(rc == 1, "triage with a file that is no core exits 1, not %d: %s" % (rc, err))
        report = json.loads(out)

        page = os.path.join(work, "page.html")
        dom_text, console = chromium("file://" + page, work, ["--dump-dom"])
        check(console == [], "console messages: %s" % console)
        dom = parse(dom_text)
        check(dom.ready == "yes", "the page's script did not finish (data-ready=%r)" % dom.ready)
        check(dom.links == [], "the page refers to other resources: %s" % dom.links)
        check(dom.summary == "%d dumps, %d signatures, %d not analysed" % (
            report["dumps"], len(report["groups"]), len(report["not_analysed"])), "summary %r" % dom.summary)
        expected = [(g["hash"], str(g["count"]), g["status"], str(g["total_count"]), g["dumps"])
                    for g in report["groups"]]
        actual = [(g["hash"], g["shown_count"], g["badge"], g["total"], g["dumps"]) for g in dom.groups]
        check(actual == expected, "groups in the DOM differ from the JSON report:\n %s\n %s" % (actual, expected))
        check([(g["hash"], g["count"], g["status"]) for g in dom.groups] ==
              [(e[0], e[1], e[2]) for e in expected], "data attributes differ from the JSON report")
        statuses = {g["status"] for g in report["groups"]}
        check(statuses == {"NEW", "KNOWN"}, "both NEW and KNOWN groups expected, got %s" % statuses)
        for g, j in zip(dom.groups, report["groups"]):
            check(not g["hidden"], "group %s hidden without a filter" % g["hash"])
            check(len(g["stack"]) > 0 and j["top_frames"][0].split("!")[-1] in g["stack"][0],
                  "group %s: stack %s does not start at %s" % (g["hash"], g["stack"][:1], j["top_frames"][:1]))
        check([r for r in dom.not_analysed if r] == [[n["dump"], n["status"] + ": " + n["error"]] for n in report["not_analysed"]],
              "not analysed rows %s" % dom.not_analysed)
        check(dom.shown == "%d of %d groups shown" % (len(dom.groups), len(dom.groups)), "counter %r" % dom.shown)

        # The filter, from the address: every word must appear in the group's text.
        filtered, console = chromium("file://" + page + "#filter=null_read%21f3", work, ["--dump-dom"])
        check(console == [], "console messages with a filter: %s" % console)
        visible = [g["hash"] for g in parse(filtered).groups if not g["hidden"]]
        want = [g["hash"] for g in report["groups"] if "null_read!f3" in g["signature"]]
        check(len(want) == 1 and visible == want, "filter null_read!f3 shows %s, expected %s" % (visible, want))
        new_only, _ = chromium("file://" + page + "#status=NEW", work, ["--dump-dom"])
        d = parse(new_only)
        visible = [g["hash"] for g in d.groups if not g["hidden"]]
        want = [g["hash"] for g in report["groups"] if g["status"] == "NEW"]
        check(visible == want, "status NEW shows %s, expected %s" % (visible, want))
        check(d.shown == "%d of %d groups shown" % (len(want), len(report["groups"])), "counter %r" % d.shown)

        # corelens history --html: the history's signatures, with their counts in the window.
        hist_out, rc, err = run([corelens, "history", "--db", db, "--format", "json", "--html", "history.html"], work)
        check(rc == 0, "history: %d %s" % (rc, err))
        history = json.loads(hist_out)
        hist_dom, console = chromium("file://" + os.path.join(work, "history.html"), work, ["--dump-dom"])
        check(console == [], "console messages on the history page: %s" % console)
        hd = parse(hist_dom)
        check([(g["hash"], g["shown_count"], g["total"]) for g in hd.groups] ==
              [(s["hash"], str(s["count"]), str(s["total_count"])) for s in history["signatures"]],
              "history page groups differ from its JSON")

        if screenshot:
            _, console = chromium("file://" + page, work, ["--window-size=1280,1100",
                                                           "--screenshot=" + os.path.abspath(screenshot)])
            check(os.path.getsize(screenshot) > 10000, "screenshot %s is empty" % screenshot)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d passed, %d failed" % (1 if not failures else 0, 1 if failures else 0))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
