"""``hub-lite serve`` as a real process on 127.0.0.1: concurrent clients, bad input, the page
in a real headless browser, SIGTERM."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from ..conftest import CHNSENTICORP, REPO


def _start_server(trained):
    """(base_url, process, stderr lines so far): ``hub-lite serve --port 0`` on the trained
    model, its stderr drained into the list by a thread."""
    _, ckpt, _, home = trained
    env = dict(os.environ, PADDLEHUB_LITE_HOME=home, PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    proc = subprocess.Popen([sys.executable, "-m", "paddlehub_lite.cli", "serve",
                             "--checkpoint_dir", ckpt, "--port", "0", "--max_texts", "8",
                             "--max_chars", "200"],
                            env=env, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.time() + 120
    base = None
    while time.time() < deadline and base is None:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        found = re.search(r"Serving .* on (http://127\.0\.0\.1:\d+)", line)
        base = found.group(1) if found else None
    assert base, "".join(lines)
    drain = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    drain.start()
    return base, proc, lines


@pytest.fixture(scope="module")
def server(trained):
    """(base_url, process, stderr lines): one server for the tests of this module."""
    base, proc, lines = _start_server(trained)
    yield base, proc, lines
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def _post(base, body, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(base + "/predict", data=data,
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def _texts():
    with open(os.path.join(CHNSENTICORP, "dev.tsv"), encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t", 1)[1][:200] for line in list(handle)[1:101]]


def test_concurrent_clients_get_what_predict_gives(trained, server):
    task, _, _, _ = trained
    base, _, _ = server
    texts = _texts()
    expected = task.predict(texts, return_result=True)

    def client(k):
        answers = []
        for i in range(50):
            start = (k * 50 + i) % len(texts)
            batch = list(range(start, min(start + 1 + (i % 3), len(texts))))
            status, payload = _post(base, {"texts": [texts[j] for j in batch]})
            answers.append((batch, status, payload))
        return answers

    with ThreadPoolExecutor(8) as pool:
        everything = [a for answers in pool.map(client, range(8)) for a in answers]
    assert len(everything) == 400
    for batch, status, payload in everything:
        assert status == 200, payload
        assert len(payload["results"]) == len(batch)
        for j, result in zip(batch, payload["results"]):      # in input order
            assert result["label"] == expected[j]["label"]
            np.testing.assert_allclose(list(result["probabilities"].values()),
                                       list(expected[j]["probabilities"].values()), atol=1e-5)
    with urllib.request.urlopen(base + "/health", timeout=10) as response:
        health = json.loads(response.read())
    assert health["status"] == "ok" and health["labels"] == ["0", "1"]
    assert health["requests"] >= 400
    assert health["batches"] < health["requests"]       # concurrent requests shared batches


@pytest.mark.parametrize("body, status, message", [
    (b"{not json", 400, "not JSON"),
    ({"text": ["a"]}, 400, '{"texts": [...]}'),
    ({"texts": "好"}, 400, "must be a list"),
    ({"texts": []}, 400, "is empty"),
    ({"texts": ["好", 3]}, 400, "texts[1] is a int"),
    ({"texts": ["好"] * 9}, 413, "9 texts"),
    ({"texts": ["好", "长" * 201]}, 413, "texts[1] has 201 characters"),
    (b"\xff\xfe", 400, "not JSON"),
])
def test_bad_requests_get_4xx_and_the_server_keeps_serving(server, body, status, message):
    base, _, _ = server
    got_status, payload = _post(base, body)
    assert got_status == status and message in payload["error"], payload
    assert _post(base, {"texts": ["很好"]})[0] == 200


def test_unknown_path_and_huge_body(server):
    base, _, _ = server
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(base + "/nothing", timeout=10)
    assert err.value.code == 404
    status, payload = _post(base, b"x" * 2_000_000)
    assert status == 413 and "bytes" in payload["error"]


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser"))
                    and not os.environ.get("CI"),
                    reason="no chromium (.ci/run installs it with apt-get; in CI it must run)")
def test_page_in_a_headless_browser_shows_a_prediction(trained, server, tmp_path):
    task, _, _, _ = trained
    base, _, _ = server
    text = "房间很干净，服务很好"
    want = task.predict([text], return_result=True)[0]
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    url = base + "/?text=" + urllib.parse.quote(text)
    result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                             "--user-data-dir=" + str(tmp_path / "profile"),
                             "--virtual-time-budget=10000", "--dump-dom", url],
                            capture_output=True, text=True, timeout=120)
    dom = result.stdout
    assert '<strong id="label">%s</strong>' % want["label"] in dom, (dom, result.stderr[-2000:])
    shown = "%.4f" % want["probabilities"][want["label"]]
    assert "<td>%s</td>" % shown in dom


def test_sigterm_stops_cleanly(server):
    base, proc, lines = server           # runs last in this module: it ends the server
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    time.sleep(0.2)
    assert any("server stopped" in line for line in lines)


def test_ctrl_c_stops_cleanly_after_answering(trained):
    """Ctrl-C (SIGINT) as a terminal sends it: the server answers, then stops with exit 0."""
    base, proc, lines = _start_server(trained)
    try:
        status, body = _post(base, {"texts": ["很好"]})
        assert status == 200 and len(body["results"]) == 1
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        time.sleep(0.2)
        assert any("signal %d: shutting down" % signal.SIGINT in line for line in lines), lines
        assert any("server stopped" in line for line in lines)
        assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
