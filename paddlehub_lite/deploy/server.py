"""``hub-lite serve``: a trained classifier over HTTP, on the standard library.

    POST /predict   {"texts": ["...", ...]}  ->  {"results": [{"label", "probabilities"}, ...]}
    GET  /health    {"status": "ok", "labels": [...], "requests", "batches", "texts"}
    GET  /          a page to type a text and see its label and probabilities

Why the standard library: the model call is the bottleneck (one worker thread, ``Batcher``),
so the HTTP layer only parses small JSON bodies; ``ThreadingHTTPServer`` holds the measured
load (BENCHMARKS.md, "serve") without adding a dependency. Bad requests get a 4xx JSON
``{"error": ...}`` and the server keeps serving; SIGTERM and Ctrl-C shut it down cleanly.
"""
import json
import os
import signal
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from paddlehub_lite.deploy.batcher import Batcher
from paddlehub_lite.utils.log import logger

DISCARD_LIMIT = 16 << 20
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "page.html")


class RequestError(Exception):
    """A client error: an HTTP status and a message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class ServeLimits:
    """What one request may ask for.

    Args:
        max_texts: texts in one request (default 256).
        max_chars: characters in one text (default 5000).
    """

    def __init__(self, max_texts: int = 256, max_chars: int = 5000):
        if max_texts < 1 or max_chars < 1:
            raise ValueError("max_texts and max_chars must be >= 1")
        self.max_texts = max_texts
        self.max_chars = max_chars

    @property
    def max_body(self) -> int:
        """The largest request body read, in bytes (4 UTF-8 bytes a character, escapes)."""
        return self.max_texts * (self.max_chars * 6 + 16) + 1024

    def texts(self, body: bytes):
        """The texts of a /predict body, or ``RequestError``."""
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as err:
            raise RequestError(400, "the body is not JSON: %s" % err) from None
        if not isinstance(payload, dict) or "texts" not in payload:
            raise RequestError(400, 'the body must be an object {"texts": [...]}')
        texts = payload["texts"]
        if not isinstance(texts, list):
            raise RequestError(400, '"texts" must be a list of strings, got %s'
                               % type(texts).__name__)
        if not texts:
            raise RequestError(400, '"texts" is empty')
        if len(texts) > self.max_texts:
            raise RequestError(413, "%d texts in one request; at most %d"
                               % (len(texts), self.max_texts))
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise RequestError(400, "texts[%d] is a %s, not a string"
                                   % (i, type(text).__name__))
            if len(text) > self.max_chars:
                raise RequestError(413, "texts[%d] has %d characters; at most %d"
                                   % (i, len(text), self.max_chars))
        return texts


def make_handler(batcher: Batcher, labels, limits: ServeLimits):
    """The request handler class of one server."""
    with open(PAGE, "rb") as handle:
        page = handle.read()

    class Handler(BaseHTTPRequestHandler):
        server_version = "paddlehub_lite"
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):   # one debug line a request, not stderr spam
            logger.debug("%s %s", self.address_string(), fmt % args)

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload) -> None:
            self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                       "application/json; charset=utf-8")

        def _discard(self, length: int) -> None:
            """Read and drop a refused body (up to 16 MB; beyond that, just close)."""
            left = length if length <= DISCARD_LIMIT else 0
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path    # the page takes ?text=...
            if path == "/health":
                self._json(200, {"status": "ok", "labels": labels,
                                 "requests": batcher.requests, "batches": batcher.batches,
                                 "texts": batcher.texts})
            elif path in ("/", "/index.html"):
                self._send(200, page, "text/html; charset=utf-8")
            else:
                self._json(404, {"error": "no such path %s: use POST /predict, GET /health "
                                          "or GET /" % self.path})

        def do_POST(self):
            texts = self._read_texts()
            self.server.settle(self.request)     # the batcher need not wait for it any more
            if texts is None:
                return
            try:
                results = batcher.submit(texts).result()
            except Exception as err:   # the model failed: the server still serves
                logger.error("prediction failed: %s", err)
                self._json(500, {"error": "prediction failed: %s" % err})
                return
            self._json(200, {"results": results})

        def _read_texts(self):
            """The request's texts, or None after answering a client error."""
            try:
                if urllib.parse.urlsplit(self.path).path != "/predict":
                    raise RequestError(404, "no such path %s: POST /predict" % self.path)
                length = self.headers.get("Content-Length")
                if length is None or not length.isdigit():
                    raise RequestError(411, "a Content-Length header is required")
                if int(length) > limits.max_body:
                    self._discard(int(length))    # the client can read the answer
                    raise RequestError(413, "the body has %s bytes; at most %d"
                                       % (length, limits.max_body))
                texts = limits.texts(self.rfile.read(int(length)))
            except RequestError as err:
                self.close_connection = True    # the unread body must not become a request
                self._json(err.status, {"error": str(err)})
                return None
            return texts

    return Handler


class _HTTPServer(ThreadingHTTPServer):
    """Counts a connection as an arriving request (``Batcher.arrive``) from its accept until
    its first request is read (``settle``), or until it closes without one."""

    daemon_threads = True

    def __init__(self, address, handler, batcher: Batcher):
        self.batcher = batcher
        self._pending = set()
        self._pending_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self._pending_lock:
            self._pending.add(id(request))
        self.batcher.arrive()
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        self.settle(request)
        super().shutdown_request(request)

    def settle(self, request) -> None:
        with self._pending_lock:
            if id(request) not in self._pending:
                return
            self._pending.discard(id(request))
        self.batcher.arrived()


class Server:
    """A classifier behind ``ThreadingHTTPServer`` and a ``Batcher``.

    Args:
        classifier: a ``TextClassifier`` (loaded by ``start``).
        host: the address to listen on (default "127.0.0.1").
        port: the port (default 8866; 0 picks a free one, see ``address``).
        max_batch: most texts of concurrent requests in one model call (default 64).
        limits: a ``ServeLimits`` (default ``ServeLimits()``).
        max_wait_ms: how long a batch waits for requests on their way (default 5).
    """

    def __init__(self, classifier, host: str = "127.0.0.1", port: int = 8866,
                 max_batch: int = 64, limits: Optional[ServeLimits] = None,
                 max_wait_ms: float = 5.0):
        self.classifier = classifier
        self.host = host
        self.port = port
        self.limits = limits or ServeLimits()
        self.batcher = Batcher(self._predict, max_batch, max_wait_ms)
        self.httpd: Optional[ThreadingHTTPServer] = None

    def _predict(self, texts):
        return self.classifier.predict(texts)

    def start(self) -> "Server":
        """Load the model, answer one warm-up text, bind the port."""
        self.classifier.load()
        self.classifier.predict(["预热"])
        self.batcher.start()
        handler = make_handler(self.batcher, self.classifier.labels, self.limits)
        self.httpd = _HTTPServer((self.host, self.port), handler, self.batcher)
        return self

    @property
    def address(self) -> str:
        host, port = self.httpd.server_address[:2]
        return "http://%s:%d" % (host, port)

    def serve_forever(self) -> None:
        """Serve until ``shutdown`` (SIGTERM/Ctrl-C in ``run``)."""
        try:
            self.httpd.serve_forever()
        finally:
            self.httpd.server_close()
            self.batcher.stop()

    def shutdown(self) -> None:
        """Stop serving (call from another thread than ``serve_forever``'s)."""
        self.httpd.shutdown()


def run(checkpoint_dir: str, host: str = "127.0.0.1", port: int = 8866, max_batch: int = 64,
        max_texts: int = 256, max_chars: int = 5000, max_wait_ms: float = 5.0) -> int:
    """``hub-lite serve``: returns the exit code after SIGTERM / Ctrl-C."""
    from paddlehub_lite.deploy.classifier import TextClassifier
    server = Server(TextClassifier(checkpoint_dir), host, port, max_batch,
                    ServeLimits(max_texts, max_chars), max_wait_ms).start()

    def stop(signum, frame):
        logger.info("signal %d: shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("Serving %s (labels %s) on %s", checkpoint_dir, ", ".join(server.classifier.labels),
                server.address)
    server.serve_forever()
    logger.info("server stopped")
    return 0
