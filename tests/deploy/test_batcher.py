"""The batcher joins requests that arrive while the model is busy, keeps each request's order,
and a failing model call fails only its own requests."""
import threading
import time

import pytest

from paddlehub_lite.deploy.batcher import Batcher


def test_requests_queued_during_a_call_share_the_next_call():
    calls = []
    started = threading.Event()

    def predict(texts):
        calls.append(list(texts))
        started.set()
        time.sleep(0.1)
        return [t.upper() for t in texts]

    batcher = Batcher(predict, max_batch=64).start()
    first = batcher.submit(["a"])
    started.wait(5)
    later = [batcher.submit(["b%d" % i, "c%d" % i]) for i in range(5)]
    assert first.result(5) == ["A"]
    assert [f.result(5) for f in later] == [["B%d" % i, "C%d" % i] for i in range(5)]
    assert len(calls) == 2 and len(calls[1]) == 10          # the five waited and ran together
    assert (batcher.requests, batcher.batches, batcher.texts) == (6, 2, 11)
    batcher.stop()


def test_a_request_still_being_parsed_is_waited_for_a_lone_one_is_not():
    calls = []
    batcher = Batcher(lambda texts: calls.append(list(texts)) or list(texts),
                      max_wait_ms=200).start()
    with batcher.arriving():                   # another request is on its way
        first = batcher.submit(["x"])
        time.sleep(0.02)
        second = batcher.submit(["y"])
    assert first.result(5) == ["x"] and second.result(5) == ["y"]
    assert calls == [["x", "y"]]
    start = time.monotonic()
    assert batcher.submit(["z"]).result(5) == ["z"]
    assert time.monotonic() - start < 0.15               # nobody arriving: no wait
    batcher.stop()


def test_a_failing_call_fails_its_requests_and_the_worker_lives_on():
    def predict(texts):
        if "bad" in texts:
            raise RuntimeError("model broke")
        return list(texts)

    batcher = Batcher(predict).start()
    with pytest.raises(RuntimeError, match="model broke"):
        batcher.submit(["bad"]).result(5)
    assert batcher.submit(["good"]).result(5) == ["good"]
    batcher.stop()
