"""Shared fixtures: the ../shared data, an isolated home directory, a real HTTP server."""
import contextlib
import functools
import http.server
import os
import socket
import subprocess
import tarfile
import threading

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("PADDLEHUB_LITE_SHARED", os.path.join(os.path.dirname(REPO), "shared"))
CHNSENTICORP = os.path.join(SHARED, "data", "chnsenticorp")
ZH_CORPUS = os.path.join(SHARED, "data", "zh_corpus")

os.environ.setdefault("GLOG_minloglevel", "2")


def pytest_configure(config):
    if not os.path.isfile(os.path.join(CHNSENTICORP, "train.tsv")):
        raise pytest.UsageError("the shared data is missing: expected %s (set "
                                "PADDLEHUB_LITE_SHARED to the shared/ folder)" % CHNSENTICORP)
    _pin_xdist_worker()
    config.addinivalue_line("markers", "early: a long test, scheduled first so that the two "
                                       "xdist workers finish together")


def pytest_collection_modifyitems(config, items):
    """The tests marked ``early`` first (a stable sort: the rest keep their order). Under
    ``-n auto`` a 60-second test collected last would run alone at the end; first, the other
    worker shares the rest meanwhile. Only tests without module-scoped fixtures are marked
    (moving one away from its module would build its fixtures twice)."""
    items.sort(key=lambda item: item.get_closest_marker("early") is None)


def _pin_xdist_worker() -> None:
    """Under pytest-xdist (``-n N``), worker k runs on its own share of the cores (and so do
    the processes it starts), so that N workers beside each other never oversubscribe them:
    Paddle's thread count follows the cores a process may use (``utils.cpu.usable_cores``)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if not worker.startswith("gw") or count < 2 or not hasattr(os, "sched_setaffinity"):
        return
    cores = sorted(os.sched_getaffinity(0))
    share = cores[int(worker[2:]) % count::count]
    if share:
        os.sched_setaffinity(0, share)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for a server or peer a test starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def home_env(path: str):
    """PADDLEHUB_LITE_HOME set to ``path`` inside the block (for module-scoped fixtures, where
    monkeypatch is not available), restored afterwards."""
    old = os.environ.get("PADDLEHUB_LITE_HOME")
    os.environ["PADDLEHUB_LITE_HOME"] = path
    try:
        yield path
    finally:
        if old is None:
            os.environ.pop("PADDLEHUB_LITE_HOME", None)
        else:
            os.environ["PADDLEHUB_LITE_HOME"] = old


@contextlib.contextmanager
def small_tmpfs(path, size: str):
    """A tmpfs of ``size`` (e.g. "1m") mounted at the new directory ``path`` inside the block
    (a disk that fills up); the test is skipped where mounting is not allowed (not root; CI
    runs as root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    os.makedirs(path)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here: %s" % mounted.stderr.strip())
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture
def hub_home(tmp_path, monkeypatch):
    """An empty PADDLEHUB_LITE_HOME for one test."""
    home = tmp_path / "hub_home"
    monkeypatch.setenv("PADDLEHUB_LITE_HOME", str(home))
    monkeypatch.delenv("PADDLEHUB_LITE_DATASET_MIRROR", raising=False)
    monkeypatch.delenv("PADDLEHUB_LITE_MODULE_SERVER", raising=False)
    return home


@pytest.fixture
def hub_log(caplog):
    """``caplog`` receiving the PaddleHub logger's records too (that logger does not propagate
    to the root logger, which is where ``caplog`` listens)."""
    from paddlehub_lite.utils.log import logger
    caplog.set_level("INFO")
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)


@pytest.fixture(scope="session")
def chnsenticorp_archive(tmp_path_factory):
    """chnsenticorp.tar.gz built from the shared files, laid out like PaddleHub's."""
    path = tmp_path_factory.mktemp("archives") / "chnsenticorp.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name in ("train.tsv", "dev.tsv", "test.tsv"):
            tar.add(os.path.join(CHNSENTICORP, name), arcname="chnsenticorp/" + name)
    return str(path)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a directory; ``/truncated/<file>`` promises the full length, sends half, closes;
    ``/flaky/<file>`` answers 503 on the first request for each file, then serves it."""

    flaky_seen = set()

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/truncated/"):
            full = os.path.join(self.directory, self.path[len("/truncated/"):])
            data = open(full, "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path.startswith("/flaky/"):
            name = self.path[len("/flaky/"):]
            if name not in self.flaky_seen:
                self.flaky_seen.add(name)
                self.send_error(503, "try again")
                return
            self.path = "/" + name
        super().do_GET()


@pytest.fixture
def http_server(tmp_path):
    """(base_url, directory): a real HTTP server on 127.0.0.1 serving ``directory``."""
    directory = tmp_path / "served"
    directory.mkdir()
    handler = functools.partial(_Handler, directory=str(directory))
    _Handler.flaky_seen = set()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d" % server.server_address[1], directory
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def tiny_pretrained(tmp_path_factory):
    """A tiny biLM pretrained for a few seconds on 400 corpus sentences + 200 reviews; returns
    (trainer, final record, module directory). Shared by the module and engine tests."""
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer, PretrainConfig

    root = tmp_path_factory.mktemp("tiny_elmo")
    corpus = root / "corpus.txt"
    with open(os.path.join(ZH_CORPUS, "msra_news.txt"), encoding="utf-8") as handle:
        lines = [next(handle) for _ in range(400)]
    with open(os.path.join(CHNSENTICORP, "train.tsv"), encoding="utf-8") as handle:
        next(handle)
        lines += [next(handle).split("\t", 1)[1] for _ in range(200)]
    corpus.write_text("".join(lines), encoding="utf-8")
    config = PretrainConfig(corpus_files=[str(corpus)], work_dir=str(root / "work"),
                            vocab_size=600, min_freq=2, embed_dim=16, hidden_size=32,
                            max_len=24, batch_tokens=512, num_sampled=256, epochs=4,
                            learning_rate=1e-2, warmup_steps=10, heldout_every=10,
                            eval_every=1000, threads=1)
    trainer = ELMoPretrainer(config)
    final = trainer.run()
    module_dir = trainer.export(str(root / "tiny_elmo"), name="tiny_elmo", weights_dtype="float32")
    return trainer, final, module_dir
