"""``hub-lite serve``: a trained classifier over HTTP, on the standard library.

    POST /predict   {"texts": ["...", ...]}  ->  {"results": [{"label", "probabilities"}, ...]}
                    (with "explain": true each result has "words": [{"word", "contribution"}])
    POST /predict/<name>   PaddleHub Serving's protocol (``hub serving start -m NAME``):
                    {"texts": [...]} or {"data": {"text": [...]}}  ->  {"status": "0",
                    "msg": "", "results": [{"text", "label", "probabilities"}, ...]};
                    errors {"status": "-1", "msg": "...", "results": ""} with a 4xx status
    GET  /health    {"status": "ok", "labels": [...], "requests", "batches", "texts",
                    "received", "in_flight"}  (requests the model answered, its calls and
                    texts; POST requests taken, and being answered now)
    GET  /          a page to type a text and see its label and probabilities

The server keeps the model it loaded at start: a training run that replaces ``best_model/``
later is picked up by restarting the server (requests during a retrain are all answered by the
model loaded first). A connection idle for ``idle_timeout`` seconds is closed. On SIGTERM or
Ctrl-C it stops accepting connections, finishes the requests in flight (at most
``drain_seconds``) and exits 0.

Why the standard library: the model call is the bottleneck (one worker thread, ``Batcher``),
so the HTTP layer only parses small JSON bodies; ``ThreadingHTTPServer`` holds the measured
load (BENCHMARKS.md, "Serving") without a dependency. Bad requests get a 4xx JSON error.
"""
import contextlib
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

from paddlehub_lite.deploy.batcher import Batcher
from paddlehub_lite.deploy.request_limits import RequestError, ServeLimits
from paddlehub_lite.utils.log import logger

DISCARD_LIMIT = 16 << 20
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "page.html")


def make_handler(batcher: Batcher, labels, limits: ServeLimits, name: str,
                 idle_timeout: float, explain):
    """The request handler class of one server (``name``: the model's name in PaddleHub's
    ``/predict/<name>``; ``explain(texts)``: results with word contributions)."""
    with open(PAGE, "rb") as handle:
        page = handle.read()
    paddlehub_path = "/predict/" + urllib.parse.quote(name)

    class Handler(BaseHTTPRequestHandler):
        server_version = "paddlehub_lite"
        protocol_version = "HTTP/1.1"
        timeout = idle_timeout      # a connection idle this long is closed (socket timeout)

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
                                 "texts": batcher.texts, "received": self.server.received,
                                 "in_flight": self.server.busy})
            elif path in ("/", "/index.html"):
                self._send(200, page, "text/html; charset=utf-8")
            else:
                self._json(404, {"error": "no such path %s: use POST /predict, GET /health "
                                          "or GET /" % self.path})

        def do_POST(self):
            with self.server.in_flight():
                self._answer_post()

        def _answer_post(self):
            path = urllib.parse.urlsplit(self.path).path
            paddlehub = path.startswith("/predict/")
            request = self._read_texts(path, paddlehub)
            self.server.settle(self.request)     # the batcher need not wait for it any more
            if request is None:
                return
            texts, wants_explain = request
            try:
                results = explain(texts) if wants_explain else batcher.submit(texts).result()
            except Exception as err:   # the model failed: the server still serves
                logger.error("prediction failed: %s", err)
                self._error(500, "prediction failed: %s" % err, paddlehub)
                return
            if paddlehub:
                self._json(200, {"status": "0", "msg": "", "results": [
                    dict({"text": text}, **result) for text, result in zip(texts, results)]})
            else:
                self._json(200, {"results": results})

        def _error(self, status: int, message: str, paddlehub: bool) -> None:
            self._json(status, {"status": "-1", "msg": message, "results": ""} if paddlehub
                       else {"error": message})

        def _read_texts(self, path: str, paddlehub: bool):
            """The request's texts, or None after answering a client error."""
            try:
                if path != "/predict" and path != paddlehub_path:
                    raise RequestError(404, "no such path %s: POST /predict or %s"
                                       % (self.path, paddlehub_path))
                length = self.headers.get("Content-Length")
                if length is None or not length.isdigit():
                    raise RequestError(411, "a Content-Length header is required")
                if int(length) > limits.max_body:
                    self._discard(int(length))    # the client can read the answer
                    raise RequestError(413, "the body has %s bytes; at most %d"
                                       % (length, limits.max_body))
                texts = limits.texts(self.rfile.read(int(length)), paddlehub)
            except RequestError as err:
                self.close_connection = True    # the unread body must not become a request
                self._error(err.status, str(err), paddlehub)
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
        self._busy = 0                          # POST requests being answered
        self.received = 0                       # POST requests taken so far
        self._idle = threading.Condition()
        super().__init__(address, handler)

    @contextlib.contextmanager
    def in_flight(self):
        """Count a request as in flight while it is answered (``drain`` waits for them)."""
        with self._idle:
            self._busy += 1
            self.received += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    @property
    def busy(self) -> int:
        """POST requests being answered now."""
        with self._idle:
            return self._busy

    def drain(self, seconds: float) -> int:
        """Wait until no request is in flight, at most ``seconds``; returns how many still
        are."""
        deadline = time.monotonic() + seconds
        with self._idle:
            while self._busy and time.monotonic() < deadline:
                self._idle.wait(max(0.0, deadline - time.monotonic()))
            return self._busy

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
        name: the model's name in PaddleHub's ``POST /predict/<name>`` (default "model").
        idle_timeout: seconds after which an idle connection is closed (default 30).
        drain_seconds: on shutdown, how long requests in flight may take to finish (default 10).
    """

    def __init__(self, classifier, host: str = "127.0.0.1", port: int = 8866,
                 max_batch: int = 64, limits: Optional[ServeLimits] = None,
                 max_wait_ms: float = 5.0, name: str = "model", idle_timeout: float = 30.0,
                 drain_seconds: float = 10.0):
        if idle_timeout <= 0 or drain_seconds < 0:
            raise ValueError("idle_timeout must be > 0 and drain_seconds >= 0")
        self.classifier = classifier
        self.host = host
        self.port = port
        self.limits = limits or ServeLimits()
        self.name = name
        self.idle_timeout = idle_timeout
        self.drain_seconds = drain_seconds
        self.batcher = Batcher(self._predict, max_batch, max_wait_ms)
        self.httpd: Optional[_HTTPServer] = None
        self._model_lock = threading.Lock()    # one model call at a time (batcher, explain)

    def _predict(self, texts):
        with self._model_lock:
            return self.classifier.predict(texts)

    def _explain(self, texts):
        with self._model_lock:
            return self.classifier.explain(texts)

    def start(self) -> "Server":
        """Load the model, answer one warm-up text, bind the port."""
        self.classifier.load()
        self.classifier.predict(["预热"])
        handler = make_handler(self.batcher, self.classifier.labels, self.limits, self.name,
                               self.idle_timeout, self._explain)
        try:
            self.httpd = _HTTPServer((self.host, self.port), handler, self.batcher)
        except OSError as err:         # a port in use: named, for one error line
            err.filename = "%s:%d" % (self.host, self.port)
            raise
        self.batcher.start()
        return self

    @property
    def address(self) -> str:
        host, port = self.httpd.server_address[:2]
        return "http://%s:%d" % (host, port)

    def serve_forever(self) -> None:
        """Serve until ``shutdown`` (SIGTERM/Ctrl-C in ``run``), then let the requests in
        flight finish (at most ``drain_seconds``) before closing."""
        try:
            self.httpd.serve_forever()
        finally:
            left = self.httpd.drain(self.drain_seconds)
            if left:
                logger.warning("%d requests still in flight after %.0f s: closing anyway",
                               left, self.drain_seconds)
            self.httpd.server_close()
            self.batcher.stop()

    def shutdown(self) -> None:
        """Stop serving (call from another thread than ``serve_forever``'s)."""
        self.httpd.shutdown()
