#!/usr/bin/env python3
"""A local stand-in for a debuginfod server, for tests/binaries/debuginfod_test.cpp.

debuginfod_stand_in.py ROOT MODE PORT_FILE

Serves GET /buildid/ID/executable and /buildid/ID/debuginfo from ROOT/ID/executable and
ROOT/ID/debuginfo on 127.0.0.1 (a free port, written to PORT_FILE once listening). MODE:
  serve     answers at once (404 for what ROOT lacks)
  slow      answers after 2 seconds
  notfound  404 for everything
  hang      accepts the connection, reads the request and never answers (a firewalled or
            overloaded server)
Every request is logged to ROOT/requests.log. Runs until killed.
"""
import http.server
import os
import re
import socketserver
import sys
import threading
import time

root, mode, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
assert mode in ("serve", "slow", "notfound", "hang"), mode
log_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        with log_lock, open(os.path.join(root, "requests.log"), "a") as log:
            log.write(self.path + "\n")
        if mode == "hang":
            threading.Event().wait()  # never answers; the test kills the server
        if mode == "slow":
            time.sleep(2)
        m = re.fullmatch(r"/buildid/([0-9a-f]+)/(executable|debuginfo)", self.path)
        path = os.path.join(root, m.group(1), m.group(2)) if m else None
        if mode == "notfound" or path is None or not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
