"""The deployment commands of ``hub-lite``: ``export``, ``predict``, ``run`` and ``serve``
(registered by ``cli.main``). Nothing here imports Paddle: on the ONNX backend they run without
it."""
import argparse
import os


CHECKPOINT_HELP = "the directory finetuning wrote, or a bundle hub-lite export wrote"


def _backend_arg(p) -> None:
    p.add_argument("--backend", choices=["auto", "onnx", "paddle"], default="auto",
                   help="default auto: ONNX Runtime when installed and the bundle has ONNX "
                        "models (hub-lite export), else Paddle Inference")


def _predict_parser(sub) -> None:
    p = sub.add_parser(
        "predict", help="classify a file with a trained model",
        description="Classify every line of a .txt (one text a line) or every row of a .tsv "
                    "(header with text_a, optionally label: then accuracy and a per-class "
                    "report too) with the best model in --checkpoint_dir. Output: JSON Lines "
                    '{"text", "label", "probabilities"}, one per input text, in order.')
    p.add_argument("--checkpoint_dir", required=True, help=CHECKPOINT_HELP)
    p.add_argument("--input", required=True, help="a .txt or .tsv file")
    p.add_argument("--output", default=None, help="JSON Lines file (default: stdout)")
    p.add_argument("--batch_size", type=int, default=None,
                   help="texts per model call (default: the training batch size)")
    p.add_argument("--report", default=None,
                   help="with a labelled .tsv: also write the report as JSON here")
    p.add_argument("--explain", action="store_true",
                   help='add each word\'s contribution to the label: "words": [{"word", '
                        '"contribution"}] (occlusion with <UNK>; one model call per text)')
    _backend_arg(p)
    p.set_defaults(func=_run_predict)


def _run_predict(args) -> int:
    from paddlehub_lite.deploy import predict_file
    return predict_file.run(args.checkpoint_dir, args.input, args.output, args.batch_size,
                            args.report, args.backend, args.explain)


def _export_parser(sub) -> None:
    p = sub.add_parser(
        "export", help="copy a trained model's self-contained bundle to a directory",
        description="Write the best model's bundle (the model, each module's feature network, "
                    "the vocabulary, labels and reader settings, with files.json) to --output: "
                    "copied to another machine, it serves without the module installed; give "
                    "it as --checkpoint_dir to predict, run and serve.")
    p.add_argument("--checkpoint_dir", required=True, help="the directory finetuning wrote")
    p.add_argument("--output", required=True, help="a new directory")
    p.add_argument("--onnx", choices=["auto", "yes", "no"], default="auto",
                   help="add ONNX models, kept when their probabilities match Paddle's within "
                        "1e-5 (default auto: when paddle2onnx is installed)")
    p.add_argument("--quantize", choices=["int8"], default=None,
                   help="quantize the ONNX models' LSTM, GRU and MatMul weights to int8 "
                        "(ONNX Runtime's dynamic quantization; BENCHMARKS.md has its accuracy)")
    p.set_defaults(func=_run_export)


def _run_export(args) -> int:
    from paddlehub_lite.deploy.export import export
    result = export(args.checkpoint_dir, args.output,
                    onnx={"auto": None, "yes": True, "no": False}[args.onnx],
                    quantize=args.quantize)
    onnx = result["onnx"]
    print("bundle written to %s (%s)" % (result["path"], "ONNX models: probabilities within "
                                         "%.2g of Paddle's%s" % (onnx["max_abs_diff"],
                                                                 ", quantized to int8"
                                                                 if onnx.get("quantized")
                                                                 else "")
                                         if onnx else "Paddle models only"))
    return 0


def _run_parser(sub) -> None:
    p = sub.add_parser(
        "run", help="classify a text or a file and print the results (PaddleHub's hub run)",
        description="As PaddleHub 1.x's `hub run NAME --input_text ...`: prints one JSON list "
                    'of {"text", "label", "probabilities"}, one per input text, in order.')
    p.add_argument("--checkpoint_dir", required=True, help=CHECKPOINT_HELP)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--input_text", default=None, help="one text to classify")
    group.add_argument("--input_file", default=None,
                       help="a text file, one text a line (every line gets a result)")
    _backend_arg(p)
    p.set_defaults(func=_run_run)


def _run_run(args) -> int:
    import json
    from paddlehub_lite.deploy import predict_file
    from paddlehub_lite.deploy.classifier import TextClassifier
    texts = ([args.input_text] if args.input_file is None
             else predict_file.read_lines(args.input_file))
    results = (TextClassifier(args.checkpoint_dir, backend=args.backend).predict(texts)
               if texts else [])
    print(json.dumps([dict({"text": t}, **r) for t, r in zip(texts, results)],
                     ensure_ascii=False))
    return 0


def _serve_parser(sub) -> None:
    p = sub.add_parser(
        "serve", help="serve a trained model over HTTP",
        description="POST /predict with {\"texts\": [...]} answers {\"results\": [{\"label\", "
                    "\"probabilities\"}, ...]}; GET /health; GET / is a page to try texts. "
                    "Concurrent requests are batched together. SIGTERM or Ctrl-C stops it.")
    p.add_argument("--checkpoint_dir", required=True, help=CHECKPOINT_HELP)
    p.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1 (this machine only)")
    p.add_argument("--port", type=int, default=8866, help="default 8866 (PaddleHub Serving's)")
    p.add_argument("--max_batch", type=int, default=64,
                   help="most texts run together in one model call (default 64)")
    p.add_argument("--max_wait_ms", type=float, default=5.0,
                   help="how long a batch waits for requests already on their way (default 5; "
                        "a lone request never waits)")
    p.add_argument("--max_texts", type=int, default=256,
                   help="most texts in one request (default 256)")
    p.add_argument("--max_chars", type=int, default=5000,
                   help="longest text accepted, in characters (default 5000)")
    p.add_argument("--name", default=None,
                   help="the model's name in PaddleHub's POST /predict/<name> (default: the "
                        "checkpoint directory's base name)")
    p.add_argument("--idle_timeout", type=float, default=30.0,
                   help="seconds after which an idle connection is closed (default 30)")
    p.add_argument("--drain_seconds", type=float, default=10.0,
                   help="on SIGTERM/Ctrl-C, how long requests in flight may take to finish "
                        "(default 10)")
    _backend_arg(p)
    p.set_defaults(func=_run_serve)


def _run_serve(args) -> int:
    """``hub-lite serve``: returns the exit code after SIGTERM / Ctrl-C (``--name`` default:
    the checkpoint directory's base name)."""
    import signal
    import threading
    from paddlehub_lite.deploy.classifier import TextClassifier
    from paddlehub_lite.deploy.request_limits import ServeLimits
    from paddlehub_lite.deploy.server import Server
    from paddlehub_lite.utils.log import logger
    name = args.name or os.path.basename(os.path.normpath(os.path.abspath(args.checkpoint_dir)))
    server = Server(TextClassifier(args.checkpoint_dir, backend=args.backend), args.host,
                    args.port, args.max_batch, ServeLimits(args.max_texts, args.max_chars),
                    args.max_wait_ms, name, args.idle_timeout, args.drain_seconds).start()

    def stop(signum, frame):
        logger.info("signal %d: shutting down", signum)
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("Serving %s (labels %s, %s backend) on %s (PaddleHub's protocol: POST "
                "/predict/%s)", args.checkpoint_dir, ", ".join(server.classifier.labels),
                server.classifier.backend, server.address, name)
    server.serve_forever()
    logger.info("server stopped")
    return 0


def register(sub: "argparse._SubParsersAction") -> None:
    """Add the deployment commands to ``hub-lite``'s subparsers."""
    _export_parser(sub)
    _predict_parser(sub)
    _run_parser(sub)
    _serve_parser(sub)
