#!/usr/bin/python3
"""Loopback test servers for license-agent's network tests (never used outside tests).

https mode (default): an HTTPS server on 127.0.0.1 with the given certificate; http mode:
the same over plain http (no certificate).
  GET  /files/NAME          the file NAME from --files (NAME percent-decoded)
  GET  /redirect/NAME       302 to /files/NAME
  GET  /redirect-to/URL     302 to URL (e.g. from https to http)
  GET  /loop                302 to /loop, forever (a redirect loop)
  GET  /to-file/NAME        302 to file://FILES/NAME (a client must refuse to follow it)
  GET  /big.lic             5 MiB with a Content-Length
  GET  /big-chunked.lic     5 MiB chunked (no length announced)
  GET  /slow/NAME           the file NAME, after 4 seconds (a transfer still running)
  anything else             404 with a short body
  POST /v1/evaluation       checks the JSON body (unitId == --unit, osGeneration ==
                            --generation, email, name and company non-empty, termsAccepted
                            true), records it
                            in --record together with the contents of --request-file at that
                            moment (the agent's fetch.req), and answers 200 with
                            --evaluation-license's bytes; a body that does not match gets 400.
--peers FILE: every request appends {"method","path","uid"} to FILE, uid being the owner of
the client's socket (peer.py).
ftp mode: an anonymous read-only FTP server (pyftpdlib) on 127.0.0.1 serving --files.

The chosen ephemeral port is printed on stdout as "PORT 12345", and stdout is closed then.
"""
import argparse
import json
import os
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import time
from urllib.parse import unquote

from peer import peer_uid

BIG = 5 * 1024 * 1024

# A test process starts servers while other threads start other programs: descriptors it did
# not mean to pass (pipes of concurrently run agents) may have been inherited. Holding them
# would keep those pipes open and their readers waiting for EOF, so close them at once.
os.closerange(3, os.sysconf("SC_OPEN_MAX"))


def parse_arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["https", "http", "ftp"], default="https")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--files", required=True)
    parser.add_argument("--unit", default="")
    parser.add_argument("--generation", type=int, default=12)
    parser.add_argument("--evaluation-license")
    parser.add_argument("--record")
    parser.add_argument("--peers")
    parser.add_argument("--request-file")
    return parser.parse_args()


def make_handler(options):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            sys.stderr.write("server: " + (format % args) + "\n")

        def record_peer(self):
            if options.peers:
                with open(options.peers, "a") as handle:
                    handle.write(json.dumps({"method": self.command, "path": self.path,
                                             "uid": peer_uid(self.client_address)}) + "\n")

        def reply(self, status, body, headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.record_peer()
            path = self.path.split("?")[0]
            if path.startswith("/slow/"):
                time.sleep(4)
                path = "/files/" + path[len("/slow/"):]
            if path.startswith("/files/"):
                name = os.path.basename(unquote(path[len("/files/"):]))
                full = os.path.join(options.files, name)
                if name and os.path.isfile(full):
                    with open(full, "rb") as handle:
                        return self.reply(200, handle.read())
            elif path.startswith("/redirect-to/"):
                return self.reply(302, b"", [("Location", path[len("/redirect-to/"):])])
            elif path.startswith("/redirect/"):
                return self.reply(302, b"", [("Location", "/files/" + path[len("/redirect/"):])])
            elif path.startswith("/to-file/"):
                target = "file://" + os.path.join(os.path.abspath(options.files), path[len("/to-file/"):])
                return self.reply(302, b"", [("Location", target)])
            elif path == "/loop":
                return self.reply(302, b"", [("Location", "/loop")])
            elif path == "/big.lic":
                return self.reply(200, b"A" * BIG)
            elif path == "/big-chunked.lic":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"B" * 65536
                try:
                    for _ in range(BIG // len(chunk)):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            return self.reply(404, b"not found\n")

        def do_POST(self):
            self.record_peer()
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if self.path != "/v1/evaluation":
                return self.reply(404, b"not found\n")
            problems = []
            try:
                request = json.loads(body)
            except ValueError:
                request, problems = {}, ["body is not JSON"]
            if self.headers.get("Content-Type") != "application/json":
                problems.append("content type is not application/json")
            if request.get("unitId") != options.unit:
                problems.append("unitId %r is not %r" % (request.get("unitId"), options.unit))
            if request.get("osGeneration") != options.generation:
                problems.append("osGeneration %r" % request.get("osGeneration"))
            for key in ("email", "name", "company"):
                if not isinstance(request.get(key), str) or not request.get(key):
                    problems.append("%s missing" % key)
            if request.get("termsAccepted") is not True:
                problems.append("termsAccepted is not true")
            request_file = None
            if options.request_file and os.path.exists(options.request_file):
                with open(options.request_file) as handle:
                    request_file = handle.read()
            if options.record:
                with open(options.record, "w") as handle:
                    json.dump({"body": request, "problems": problems, "requestFile": request_file}, handle)
            if problems:
                return self.reply(400, ("; ".join(problems) + "\n").encode())
            with open(options.evaluation_license, "rb") as handle:
                return self.reply(200, handle.read(), [("Content-Type", "application/octet-stream")])

    return Handler


def announce(port):
    """Prints the port, then lets go of stdout so that the reader sees end-of-file."""
    print("PORT %d" % port, flush=True)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)


def serve_https(options):
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(options))
    if options.mode == "https":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options.cert, options.key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    announce(server.server_address[1])
    server.serve_forever()


def serve_ftp(options):
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import FTPServer
    import logging
    logging.basicConfig(level=logging.WARNING)
    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(options.files, perm="elr")
    handler = FTPHandler
    handler.authorizer = authorizer
    handler.passive_ports = None
    server = FTPServer(("127.0.0.1", 0), handler)
    announce(server.address[1])
    server.serve_forever()


if __name__ == "__main__":
    arguments = parse_arguments()
    serve_ftp(arguments) if arguments.mode == "ftp" else serve_https(arguments)
