"""``hub-lite serve`` as a real process on 127.0.0.1: concurrent clients, bad input, the page
in a real headless browser, SIGTERM."""
import json
import os
import re
import shutil
import signal
import socket
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


def _start_server(trained, *extra):
    """(base_url, process, stderr lines so far): ``hub-lite serve --port 0`` on the trained
    model (PaddleHub name "tiny", idle connections closed after 2 s), its stderr drained into
    the list by a thread."""
    _, ckpt, _, home = trained
    env = dict(os.environ, PADDLEHUB_LITE_HOME=home, PYTHONPATH=os.pathsep.join([REPO] + sys.path))
    proc = subprocess.Popen([sys.executable, "-m", "paddlehub_lite.cli", "serve",
                             "--checkpoint_dir", ckpt, "--port", "0", "--max_texts", "8",
                             "--max_chars", "200", "--name", "tiny", "--idle_timeout", "2"] +
                            list(extra), env=env, stderr=subprocess.PIPE, text=True)
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


def _post(base, body, content_type="application/json", path="/predict"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(base + path, data=data,
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
    # the text, word by word, each coloured by its contribution (green more, red less)
    spans = re.findall(r'<span class="word" title="(-?[0-9.]+)" style="background-color: '
                       r'rgba\((\d+), (\d+), 0, ([0-9.]+)\);">([^<]+)</span>', dom)
    assert "".join(s[4] for s in spans) == text, dom
    for contribution, red, green, _, _ in spans:
        assert (float(contribution) >= 0) == (int(green) > int(red)), spans


def test_nested_json_gets_a_400_and_the_server_keeps_serving(server):
    """Observed: a body of 100,000 nested "[" got no answer at all (RecursionError); 10,000
    (this server's body limit is 10,752 bytes) are as deep for the parser."""
    base, _, _ = server
    status, body = _post(base, b"[" * 10000)        # within this server's body limit
    assert status == 400 and "nested too deeply" in body["error"], body
    status, body = _post(base, {"texts": ["很好"]})
    assert status == 200 and len(body["results"]) == 1


def test_paddlehub_serving_protocol(trained, server):
    """PaddleHub 1.x clients: POST /predict/<name> with {"texts": [...]} or the older
    {"data": {"text": [...]}}, PaddleHub's envelope, errors in it with a 4xx status."""
    task, _, _, _ = trained
    base, _, _ = server
    texts = ["房间很干净，服务很好", "太差了", ""]
    want = task.predict(texts, return_result=True)
    for body in ({"texts": texts}, {"data": {"text": texts}}):
        status, answer = _post(base, body, path="/predict/tiny")
        assert status == 200 and answer["status"] == "0" and answer["msg"] == "", answer
        assert [r["text"] for r in answer["results"]] == texts
        for got, expected in zip(answer["results"], want):
            assert got["label"] == expected["label"]
            np.testing.assert_allclose(list(got["probabilities"].values()),
                                       list(expected["probabilities"].values()), atol=1e-5)
    for path, body, code in (("/predict/tiny", {"data": {"txt": ["x"]}}, 400),
                             ("/predict/tiny", {"texts": []}, 400),
                             ("/predict/tiny", b"{not json", 400),
                             ("/predict/other", {"texts": ["x"]}, 404)):
        status, answer = _post(base, body, path=path)
        assert status == code and answer["status"] == "-1" and answer["results"] == "", answer
        assert answer["msg"]


def test_an_idle_connection_is_closed(server):
    """Observed: an idle connection held a server thread forever."""
    base, _, _ = server
    host, port = base[len("http://"):].split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        start = time.monotonic()
        assert sock.recv(1) == b""                       # closed by the server
        assert 1.5 <= time.monotonic() - start < 10      # --idle_timeout 2


def _load(base, n_requests, texts):
    """Start ``n_requests`` concurrent requests of ``texts``; returns (threads, results)."""
    results = [None] * n_requests

    def one(i):
        try:
            results[i] = _post(base, {"texts": texts})
        except Exception as err:             # a reset or a half-written answer
            results[i] = ("failed", repr(err))
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n_requests)]
    for thread in threads:
        thread.start()
    return threads, results


def test_explain_in_a_request_gives_each_word_s_contribution(trained, server):
    """"explain": true (both protocols): every result has the words the model saw, each with
    its contribution; without it, the results are as before."""
    base, _, _ = server
    texts = ["房间很干净，服务很好", ""]
    status, body = _post(base, {"texts": texts, "explain": True})
    assert status == 200, body
    first, empty = body["results"]
    assert "".join(w["word"] for w in first["words"]) == texts[0]      # no spaces in it
    assert all(isinstance(w["contribution"], float) for w in first["words"])
    assert empty["words"] == []
    status, body = _post(base, {"data": {"text": texts[:1]}, "explain": True}, path="/predict/tiny")
    assert status == 200 and body["results"][0]["words"] == first["words"]
    status, body = _post(base, {"texts": texts, "explain": "yes"})
    assert status == 400 and "explain" in body["error"]


def test_sigterm_finishes_the_request_in_flight(server):
    """Observed: SIGTERM under load exited at once, cutting the requests in flight (a reset, a
    half-written response). Here a client is half way through sending its body when SIGTERM
    comes: the server stops accepting, waits for the rest, answers it whole, and exits 0."""
    base, proc, lines = server           # runs last of the module's server tests: it ends it
    host, port = base[len("http://"):].split(":")
    body = json.dumps({"texts": ["房间很干净，服务很好", "太差了"]}).encode("utf-8")
    head = ("POST /predict HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % (host, len(body))).encode("ascii")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + body[:10])
        time.sleep(0.3)                          # the server is reading the body
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        sock.sendall(body[10:])
        answer = b""
        while not answer.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer
    results = json.loads(answer.split(b"\r\n\r\n", 1)[1])["results"]
    assert len(results) == 2
    assert proc.wait(timeout=30) == 0
    time.sleep(0.2)
    assert any("server stopped" in line for line in lines)


def test_ctrl_c_stops_cleanly_after_answering(trained):
    """Ctrl-C (SIGINT) as a terminal sends it, under load (one request per model call, so
    some are queued): every request read is answered, then it exits 0."""
    base, proc, lines = _start_server(trained, "--max_batch", "8", "--max_wait_ms", "0")
    try:
        threads, results = _load(base, 6, [t[:200] for t in _texts()[:8]])
        deadline = time.time() + 60          # every request taken by the server (one still
        while time.time() < deadline:        # connecting would be refused instead)
            with urllib.request.urlopen(base + "/health", timeout=10) as response:
                health = json.loads(response.read())
            if health["received"] >= 6:
                break
            time.sleep(0.005)
        assert health["received"] == 6 and health["in_flight"] >= 1, health   # some in flight
        proc.send_signal(signal.SIGINT)
        for thread in threads:
            thread.join(timeout=60)
        assert proc.wait(timeout=30) == 0
        assert all(r[0] == 200 and len(r[1]["results"]) == 8 for r in results), results
        time.sleep(0.2)
        assert any("signal %d: shutting down" % signal.SIGINT in line for line in lines), lines
        assert any("server stopped" in line for line in lines)
        assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_port_in_use_is_one_error_line(trained, capsys, monkeypatch):
    """Observed: a port in use printed a raw traceback."""
    from paddlehub_lite.cli import main
    monkeypatch.setenv("PADDLEHUB_LITE_HOME", trained[3])
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code = main(["serve", "--checkpoint_dir", trained[1], "--port", str(port)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1] == ("hub-lite serve: error: 127.0.0.1:%d: Address already in "
                                     "use" % port), err
    assert not any("Traceback" in line for line in err)


def test_hub_lite_run_prints_paddlehub_s_json_list(trained, tmp_path, capsys, monkeypatch):
    """PaddleHub's ``hub run NAME --input_text`` / ``--input_file``: one JSON list."""
    from paddlehub_lite.cli import main
    task, ckpt, _, home = trained
    monkeypatch.setenv("PADDLEHUB_LITE_HOME", home)
    assert main(["run", "--checkpoint_dir", ckpt, "--input_text", "房间很干净"]) == 0
    (one,) = json.loads(capsys.readouterr().out)
    (want,) = task.predict(["房间很干净"], return_result=True)
    assert one["text"] == "房间很干净" and one["label"] == want["label"]
    np.testing.assert_allclose(list(one["probabilities"].values()),
                               list(want["probabilities"].values()), atol=1e-5)
    path = tmp_path / "texts.txt"
    path.write_text("很好\n\n太差了\n", encoding="utf-8")
    assert main(["run", "--checkpoint_dir", ckpt, "--input_file", str(path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["text"] for r in rows] == ["很好", "", "太差了"]
    assert [r["label"] for r in rows] == [r["label"] for r in task.predict(
        ["很好", "", "太差了"], return_result=True)]
