"""The local upstream HTTP server.

Routes (all JSON unless noted):
  POST /v1/chat/completions            OpenAI chat completions (Bearer key required)
  POST /v1/images/generations          OpenAI image generations (Bearer key required)
  GET  /images/generated/<name>.png    the generated images (PNG)
  GET  /unsplash/search/photos         Unsplash search (Client-ID header or client_id param)
  GET  /unsplash/photos/<id>           the photos (PNG)
  GET  /rss/news.xml                   RSS 2.0 feed (XML)
  GET  /articles/<slug>.html           article pages (HTML)
  GET  /health                         readiness probe, no latency

Latency: each route sleeps for its production value (DEFAULT_LATENCY_MS) before answering,
unless a global value is given (argument, or the UPSTREAM_LATENCY_MS environment variable).
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from legacy.upstream import content

# What production's APM showed for the real services (median per call).
DEFAULT_LATENCY_MS = {
    "chat": 450,
    "images": 300,
    "unsplash": 250,
    "rss": 200,
    "article": 300,
    "static": 0,
}


def resolve_latency(latency_ms=None):
    """Per-route latency in ms: a global override, else UPSTREAM_LATENCY_MS, else production."""
    if latency_ms is None:
        env = os.environ.get("UPSTREAM_LATENCY_MS")
        if env not in (None, ""):
            try:
                latency_ms = int(env)
            except ValueError:
                raise ValueError(f"UPSTREAM_LATENCY_MS must be an integer, got {env!r}") from None
    if latency_ms is None:
        return dict(DEFAULT_LATENCY_MS)
    if latency_ms < 0:
        raise ValueError("latency must be >= 0 ms")
    return {route: (latency_ms if route != "static" else 0) for route in DEFAULT_LATENCY_MS}


class UpstreamServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, latency, verbose=False):
        super().__init__(address, UpstreamHandler)
        self.latency = latency
        self.verbose = verbose
        self.request_count = 0
        self._count_lock = threading.Lock()

    def count(self):
        with self._count_lock:
            self.request_count += 1


class UpstreamHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "legacy-upstream/1.0"

    # --- plumbing -----------------------------------------------------------------------
    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        if self.server.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    @property
    def base(self):
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        return f"http://{host}"

    def _delay(self, route):
        ms = self.server.latency.get(route, 0)
        if ms:
            time.sleep(ms / 1000.0)

    def _send(self, status, body, content_type):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status, payload):
        self._send(status, json.dumps(payload, ensure_ascii=False), "application/json; charset=utf-8")

    def _read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            value = json.loads(raw or b"{}")
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def _openai_error(self, status, message, code):
        self._json(
            status,
            {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}},
        )

    def _bearer_ok(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            self._openai_error(
                401,
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                None,
            )
            return False
        if auth[7:].strip().startswith("sk-invalid"):
            self._openai_error(401, "Incorrect API key provided.", "invalid_api_key")
            return False
        return True

    # --- routing ------------------------------------------------------------------------
    def do_POST(self):
        self.server.count()
        path = urlsplit(self.path).path
        if path == "/v1/chat/completions":
            self._delay("chat")
            if not self._bearer_ok():
                return
            body = self._read_json()
            if body is None or not isinstance(body.get("messages"), list) or not body["messages"]:
                self._openai_error(400, "'messages' is a required property", None)
                return
            self._json(200, content.chat_completion(body))
        elif path == "/v1/images/generations":
            self._delay("images")
            if not self._bearer_ok():
                return
            body = self._read_json()
            if body is None or not body.get("prompt"):
                self._openai_error(400, "'prompt' is a required property", None)
                return
            self._json(200, content.image_generation(body, self.base))
        else:
            self._json(404, {"error": {"message": f"Unknown request URL: POST {path}"}})

    def do_GET(self):
        self.server.count()
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path in ("/", "/health"):
            self._json(200, {"status": "ok", "requests": self.server.request_count})
        elif path == "/unsplash/search/photos":
            self._unsplash_search(query)
        elif path.startswith("/unsplash/photos/"):
            self._delay("static")
            self._send(200, content.png_bytes(path), "image/png")
        elif path.startswith("/images/generated/") and path.endswith(".png"):
            self._delay("static")
            self._send(200, content.png_bytes(path, 32), "image/png")
        elif path == "/rss/news.xml":
            self._delay("rss")
            self._send(200, content.rss_feed(self.base), "application/rss+xml; charset=utf-8")
        elif path.startswith("/articles/") and path.endswith(".html"):
            self._delay("article")
            html = content.article_html(path[len("/articles/") : -len(".html")], self.base)
            if html is None:
                self._send(404, "<html><body><h1>404 Seite nicht gefunden</h1></body></html>", "text/html; charset=utf-8")
            else:
                self._send(200, html, "text/html; charset=utf-8")
        else:
            self._json(404, {"error": f"not found: {path}"})

    do_HEAD = do_GET

    def _unsplash_search(self, query):
        self._delay("unsplash")
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Client-ID ") and not query.get("client_id"):
            self._json(401, {"errors": ["OAuth error: The access token is invalid"]})
            return
        text = (query.get("query") or [""])[0].strip()
        if not text:
            self._json(400, {"errors": ["query is missing"]})
            return
        try:
            per_page = min(max(int((query.get("per_page") or ["10"])[0]), 1), 30)
            page = max(int((query.get("page") or ["1"])[0]), 1)
        except ValueError:
            self._json(400, {"errors": ["per_page and page must be integers"]})
            return
        self._json(200, content.unsplash_search(text, per_page, page, self.base))


def make_server(port=0, latency_ms=None, host="127.0.0.1", verbose=False):
    return UpstreamServer((host, port), resolve_latency(latency_ms), verbose=verbose)


def start_in_thread(latency_ms=None, port=0):
    """Serve on 127.0.0.1 in a daemon thread. Returns (base_url, stop)."""
    server = make_server(port=port, latency_ms=latency_ms)
    thread = threading.Thread(target=server.serve_forever, name="legacy-upstream", daemon=True)
    thread.start()
    host, bound_port = server.server_address[:2]
    stopped = threading.Event()

    def stop():
        if stopped.is_set():
            return
        stopped.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return f"http://{host}:{bound_port}", stop


def serve_forever(port=8090, latency_ms=None, host="127.0.0.1"):
    server = make_server(port=port, latency_ms=latency_ms, host=host, verbose=True)
    bound = server.server_address[1]
    print(f"legacy upstream on http://{host}:{bound} (latency ms: {server.latency})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
