"""``Batcher``: one worker thread runs the model; requests arriving while it is busy are joined
into the next model call (up to ``max_batch`` texts), so concurrent clients share batches
instead of queueing one call each.

Requests announce themselves (``arriving``) from the moment their connection is accepted until
they are submitted: when the worker starts a batch while others are still on their way (the
model call holds Python's GIL, so under load the server's threads lag behind it), it waits for
them up to ``max_wait_ms``. A lone request never waits.
"""
import contextlib
import queue
import threading
import time
from concurrent.futures import Future
from typing import Callable, List, Sequence


class Batcher:
    """Batch the texts of concurrent requests for ``predict``.

    Args:
        predict: texts -> one result per text, in order (called from the worker thread only).
        max_batch: the most texts of several requests run together (default 64); a single
            larger request still runs whole.
        max_wait_ms: how long a batch waits for requests still being parsed (default 5).
    """

    def __init__(self, predict: Callable[[List[str]], List], max_batch: int = 64,
                 max_wait_ms: float = 5.0):
        if max_batch < 1:
            raise ValueError("max_batch must be >= 1, got %r" % max_batch)
        if max_wait_ms < 0:
            raise ValueError("max_wait_ms must be >= 0, got %r" % max_wait_ms)
        self.predict = predict
        self.max_batch = max_batch
        self.max_wait_ms = max_wait_ms
        self._arriving = 0
        self._lock = threading.Lock()
        self.requests = 0
        self.batches = 0
        self.texts = 0
        self._queue: "queue.Queue" = queue.Queue()
        self._thread = threading.Thread(target=self._work, name="batcher", daemon=True)
        self._started = False

    def start(self) -> "Batcher":
        if not self._started:
            self._started = True
            self._thread.start()
        return self

    def arrive(self) -> None:
        """A request is on its way (call ``arrived`` when it is submitted or refused)."""
        with self._lock:
            self._arriving += 1

    def arrived(self) -> None:
        with self._lock:
            self._arriving -= 1

    @contextlib.contextmanager
    def arriving(self):
        """``arrive`` ... ``arrived`` around a block."""
        self.arrive()
        try:
            yield
        finally:
            self.arrived()

    def submit(self, texts: Sequence[str]) -> Future:
        """A future of the results of ``texts``."""
        future: Future = Future()
        self._queue.put((list(texts), future))
        return future

    def stop(self) -> None:
        """Finish the queued requests, then end the worker."""
        if self._started:
            self._queue.put(None)
            self._thread.join()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            group = [item]
            size = len(item[0])
            stop = False
            deadline = time.monotonic() + self.max_wait_ms / 1000.0
            while size < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    if self._arriving and time.monotonic() < deadline:
                        time.sleep(0.0005)          # a request is being parsed: let it in
                        continue
                    break
                if nxt is None:
                    stop = True
                    break
                group.append(nxt)
                size += len(nxt[0])
            self._run(group)
            if stop:
                return

    def _run(self, group) -> None:
        texts = [t for request, _ in group for t in request]
        try:
            results = self.predict(texts)
        except Exception as err:   # every waiting request gets the error, the worker lives on
            for _, future in group:
                future.set_exception(err)
            return
        self.requests += len(group)
        self.batches += 1
        self.texts += len(texts)
        start = 0
        for request, future in group:
            future.set_result(results[start:start + len(request)])
            start += len(request)
