#!/usr/bin/python3
"""A loopback stand-in for the UMS's license delivery (DELIVERY.md), for deploy tests and the
demo (never used outside them).

  GET /licenses/NAME        the file NAME from --files, with ETag (SHA-256 of the content,
                            quoted) and Last-Modified (the file's mtime), unless --no-validators;
                            If-None-Match with the current ETag (or If-Modified-Since not before
                            the mtime) answers 304 without a body; a missing file is 404.
                            Quirks of a misbehaving server, by files beside NAME:
                            NAME.etag holds the ETag sent verbatim (control characters
                            and all); NAME.always-304 answers 304 to every request
  GET /v1/devices/UNIT/license
                            the poll: 200 with the contents of --poll/UNIT.json when that file
                            exists (a JSON object such as {"downloadUrl": "..."}), 204 when not;
                            --poll/status holds a number to answer with that status instead
  POST /v1/devices/UNIT/license-info
                            the device's license information (`license-agent report`): the body
                            is appended to --poll/license-info.jsonl as one JSON line (unit,
                            path, content type, body as text, status answered), then answered
                            200 {"received": true}. Quirks, by files in --poll:
                            license-info-status holds a number to answer with instead (two-line
                            body); license-info-garbage answers bytes that are not HTTP;
                            license-info-delay holds seconds to wait before answering
  anything else             404

Every request is appended to --record as one JSON line: method, path (as sent, still
percent-encoded), the conditional headers, the names of all headers, and the status answered. The port is printed on
stdout as "PORT 12345", and stdout is closed then. --plain serves http instead of https.
"""
import argparse
import email.utils
import hashlib
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from peer import peer_uid

# Descriptors inherited from a test process that runs many programs at once would keep their
# pipes open (see license_server.py): close them at once.
os.closerange(3, os.sysconf("SC_OPEN_MAX"))

RECORD_LOCK = threading.Lock()


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--plain", action="store_true")
    parser.add_argument("--files", required=True)
    parser.add_argument("--poll", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--no-validators", action="store_true")
    return parser.parse_args()


def make_handler(options):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            sys.stderr.write("ums: " + (format % args) + "\n")

        def reply(self, status, body=b"", headers=()):
            with RECORD_LOCK, open(options.record, "a") as record:
                record.write(json.dumps({
                    "method": self.command, "path": self.path, "status": status,
                    "ifNoneMatch": self.headers.get("If-None-Match"),
                    "ifModifiedSince": self.headers.get("If-Modified-Since"),
                    "headerNames": list(self.headers.keys()),
                    "peerUID": peer_uid(self.client_address),
                }) + "\n")
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            if status not in (204, 304):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status not in (204, 304):
                self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?")[0]
            if path.startswith("/licenses/"):
                return self.license(os.path.basename(unquote(path[len("/licenses/"):])))
            parts = path.split("/")
            if len(parts) == 5 and parts[1:3] == ["v1", "devices"] and parts[4] == "license":
                return self.poll(unquote(parts[3]))
            return self.reply(404, b"not found\n")

        def license(self, name):
            full = os.path.join(options.files, name)
            if not name or not os.path.isfile(full):
                return self.reply(404, b"no such license\n")
            with open(full, "rb") as handle:
                body = handle.read()
            if options.no_validators:
                return self.reply(200, body, [("Content-Type", "application/octet-stream")])
            if os.path.isfile(full + ".always-304"):
                return self.reply(304)
            etag = '"%s"' % hashlib.sha256(body).hexdigest()
            if os.path.isfile(full + ".etag"):
                with open(full + ".etag", "rb") as handle:
                    etag = handle.read().decode("latin-1")
            mtime = int(os.stat(full).st_mtime)
            modified = email.utils.formatdate(mtime, usegmt=True)
            validators = [("ETag", etag), ("Last-Modified", modified)]
            if self.headers.get("If-None-Match") == etag:
                return self.reply(304, b"", validators)
            since = self.headers.get("If-Modified-Since")
            if since and self.headers.get("If-None-Match") is None:
                parsed = email.utils.parsedate_to_datetime(since)
                if parsed is not None and int(parsed.timestamp()) >= mtime:
                    return self.reply(304, b"", validators)
            return self.reply(200, body, validators + [("Content-Type", "application/octet-stream")])

        def poll(self, unit):
            status_file = os.path.join(options.poll, "status")
            if os.path.isfile(status_file):
                with open(status_file) as handle:
                    status = int(handle.read().strip())
                return self.reply(status, b"the UMS is not ready: status %d\nsecond line\n" % status)
            answer = os.path.join(options.poll, unit + ".json")
            if not os.path.isfile(answer):
                return self.reply(204)
            with open(answer, "rb") as handle:
                return self.reply(200, handle.read(), [("Content-Type", "application/json")])

        def do_POST(self):
            parts = self.path.split("?")[0].split("/")
            if len(parts) == 5 and parts[1:3] == ["v1", "devices"] and parts[4] == "license-info":
                return self.license_info(unquote(parts[3]))
            return self.reply(404, b"not found\n")

        def license_info(self, unit):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            quirk = lambda name: os.path.join(options.poll, "license-info-" + name)
            status = 200
            if os.path.isfile(quirk("status")):
                with open(quirk("status")) as handle:
                    status = int(handle.read().strip())
            garbage = os.path.isfile(quirk("garbage"))
            with RECORD_LOCK, open(os.path.join(options.poll, "license-info.jsonl"), "a") as record:
                record.write(json.dumps({
                    "unit": unit, "path": self.path, "contentType": self.headers.get("Content-Type"),
                    "body": body.decode("utf-8", "replace"), "status": "garbage" if garbage else status,
                }) + "\n")
            if os.path.isfile(quirk("delay")):
                with open(quirk("delay")) as handle:
                    time.sleep(float(handle.read().strip()))
            if garbage:
                self.close_connection = True
                self.wfile.write(b"\x00\x01 this is not HTTP \xff\r\n\r\n")
                self.wfile.flush()
                return
            if status != 200:
                return self.reply(status, b"the UMS cannot take license information: status %d\nsecond line\n" % status)
            return self.reply(200, b'{"received": true}\n', [("Content-Type", "application/json")])

    return Handler


def main():
    options = parse_arguments()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(options))
    if not options.plain:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert, options.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    server.serve_forever()


if __name__ == "__main__":
    main()
