"""``hub-lite``: the command-line entry point (``hub-lite pretrain-elmo --help``)."""
import argparse
import os
import shlex
import sys


CHECKPOINT_HELP = "the directory finetuning wrote, or a bundle hub-lite export wrote"


def _backend_arg(p) -> None:
    p.add_argument("--backend", choices=["auto", "onnx", "paddle"], default="auto",
                   help="default auto: ONNX Runtime when installed and the bundle has ONNX "
                        "models (hub-lite export), else Paddle Inference")


def _command_line(args) -> str:
    """The command as the user typed it (recorded in the module it writes)."""
    return "hub-lite " + " ".join(shlex.quote(a) for a in args.argv)


def _pretrain_parser(sub) -> None:
    from paddlehub_lite.zoo.elmo.pretrain_config import PretrainConfig
    defaults = PretrainConfig(corpus_files=[], work_dir="")
    p = sub.add_parser(
        "pretrain-elmo", help="pretrain a Chinese biLM and write an ELMo module directory",
        description="Segment a corpus with the reader's segmenter, build the vocab, pretrain a "
                    "forward and a backward LSTM language model with a sampled softmax, report "
                    "full-softmax held-out perplexity, and write a module directory that "
                    "hub.Module(directory=...) loads. Re-running with the same --work-dir "
                    "resumes from its checkpoint.")
    p.add_argument("--corpus", nargs="+", required=True,
                   help="text files (one sentence a line) or TSVs with a text_a column")
    p.add_argument("--work-dir", required=True, help="segmented corpus, vocab, checkpoint")
    p.add_argument("--output", required=True, help="the module directory to write")
    p.add_argument("--name", default="elmo", help="module name (default elmo)")
    p.add_argument("--version", default="1.0.0", help="module version (default 1.0.0)")
    p.add_argument("--weights-dtype", default="float16", choices=["float16", "float32"],
                   help="storage type of the shipped weights (default float16)")
    for field in ("vocab_size", "min_freq", "embed_dim", "hidden_size", "num_layers",
                  "max_len", "batch_tokens", "num_sampled", "warmup_steps", "heldout_every",
                  "heldout_max", "eval_every", "log_every", "seed", "threads"):
        p.add_argument("--" + field.replace("_", "-"), type=int, default=getattr(defaults, field),
                       help="default %s" % getattr(defaults, field))
    for field in ("dropout", "learning_rate", "clip_norm", "epochs"):
        p.add_argument("--" + field.replace("_", "-"), type=float, default=getattr(defaults, field),
                       help="default %s" % getattr(defaults, field))
    p.add_argument("--max-steps", type=int, default=None,
                   help="stop after this many steps (default: no limit)")
    p.add_argument("--max-minutes", type=float, default=None,
                   help="stop after this much training time (default: no limit)")
    p.add_argument("--segmenter", default="jieba", choices=["jieba", "lac"])
    p.add_argument("--init-module", default=None,
                   help="continue pretraining from this module directory: its vocabulary and "
                        "weights replace a new vocabulary and random values; the sizes must be "
                        "the module's (default: start from scratch)")
    p.add_argument("--directions", default=defaults.directions,
                   choices=["both", "split", "fw", "bw"],
                   help="both: one process, shared embedding (default); split: forward and "
                        "backward LMs with their own embeddings in two one-thread processes "
                        "(faster on 2 cores)")
    p.set_defaults(func=_run_pretrain)


def _run_pretrain(args) -> int:
    from paddlehub_lite.zoo.elmo import model_card
    from paddlehub_lite.zoo.elmo.pretrain import ELMoPretrainer, PretrainConfig
    from paddlehub_lite.zoo.elmo.pretrain_split import SplitPretrainer
    fields = set(PretrainConfig.__dataclass_fields__)
    values = {k: v for k, v in vars(args).items() if k in fields}
    if values.get("init_module"):
        values["init_module"] = os.path.abspath(values["init_module"])
    config = PretrainConfig(corpus_files=[os.path.abspath(p) for p in args.corpus], **values)
    trainer = SplitPretrainer(config) if config.directions == "split" else ELMoPretrainer(config)
    final = trainer.run()
    command = _command_line(args)
    extra = {"command": command}
    if config.init_module:
        extra["continued_from"] = model_card.stage_record(config.init_module)
    path = trainer.export(args.output, name=args.name, version=args.version,
                          weights_dtype=args.weights_dtype, extra=extra)
    model_card.write(path)
    print("module written to %s (held-out perplexity forward %.1f, backward %.1f)"
          % (path, final["fw_ppl"], final["bw_ppl"]))
    return 0


def _adapt_parser(sub) -> None:
    from paddlehub_lite.zoo.elmo.adapt import AdaptConfig
    defaults = AdaptConfig(module_dir="", text_files=[])
    p = sub.add_parser(
        "adapt-elmo", help="continue an ELMo module's language-model training on your own text",
        description="Domain adaptation: continue the biLM's language-model training on "
                    "unlabelled text (lines, or the text_a column of TSVs) and write a module "
                    "directory that hub.Module(directory=...) and --module_dir load, with its "
                    "own model card (held-out perplexity before and after). Re-running the "
                    "same command resumes.")
    p.add_argument("--module", default="elmo", help="module name (default elmo)")
    p.add_argument("--module-dir", default=None, help="start from this module directory instead")
    p.add_argument("--text", nargs="+", required=True, help="text files or TSVs")
    p.add_argument("--output", required=True, help="the module directory to write")
    p.add_argument("--name", default=None, help="module name (default <module>_adapted)")
    p.add_argument("--work-dir", default=None,
                   help="default: $PADDLEHUB_LITE_HOME/cache/adapt/<key>")
    p.add_argument("--minutes", type=float, default=None, dest="max_minutes",
                   help="stop after this much training (default: --epochs)")
    p.add_argument("--max-steps", type=int, default=None)
    for field in ("learning_rate", "epochs"):
        p.add_argument("--" + field.replace("_", "-"), type=float,
                       default=getattr(defaults, field),
                       help="default %s" % getattr(defaults, field))
    for field in ("save_every", "batch_tokens", "num_sampled", "heldout_every", "seed"):
        p.add_argument("--" + field.replace("_", "-"), type=int, default=getattr(defaults, field),
                       help="default %s" % getattr(defaults, field))
    p.set_defaults(func=_run_adapt)


def _run_adapt(args) -> int:
    import paddlehub_lite as hub
    from paddlehub_lite.zoo.elmo.adapt import AdaptConfig, adapt
    module_dir = args.module_dir or hub.Module(name=args.module).directory
    config = AdaptConfig(module_dir=module_dir, text_files=args.text, work_dir=args.work_dir,
                         learning_rate=args.learning_rate, epochs=args.epochs,
                         max_minutes=args.max_minutes, max_steps=args.max_steps,
                         save_every=args.save_every, batch_tokens=args.batch_tokens, num_sampled=args.num_sampled,
                         heldout_every=args.heldout_every, seed=args.seed)
    command = _command_line(args)
    result = adapt(config, args.output, name=args.name, command=command)
    print("module written to %s; held-out perplexity forward %.1f -> %.1f, backward %.1f -> %.1f"
          % (result["path"], result["before"]["fw_ppl"], result["fw_ppl"],
             result["before"]["bw_ppl"], result["bw_ppl"]))
    return 0


def _model_card_parser(sub) -> None:
    p = sub.add_parser("model-card", help="(re)write MODEL_CARD.md of a module directory")
    p.add_argument("module_dir")
    p.add_argument("--command", default=None, help="the pretraining command, if not recorded")
    p.set_defaults(func=_run_model_card)


def _run_model_card(args) -> int:
    from paddlehub_lite.zoo.elmo import model_card
    print(model_card.write(args.module_dir, args.command))
    return 0


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
    from paddlehub_lite.deploy import server
    return server.run(args.checkpoint_dir, args.host, args.port, args.max_batch,
                      args.max_texts, args.max_chars, args.max_wait_ms, args.name,
                      args.idle_timeout, args.drain_seconds, args.backend)


def main(argv=None) -> int:
    os.environ.setdefault("GLOG_minloglevel", "2")
    from paddlehub_lite.utils.quiet import quiet_known_warnings
    quiet_known_warnings()
    parser = argparse.ArgumentParser(prog="hub-lite", description="paddlehub_lite tools")
    sub = parser.add_subparsers(dest="command", required=True)
    _pretrain_parser(sub)
    _adapt_parser(sub)
    _model_card_parser(sub)
    _export_parser(sub)
    _predict_parser(sub)
    _run_parser(sub)
    _serve_parser(sub)
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.argv = argv
    try:
        return args.func(args)
    except (ValueError, OSError) as err:   # bad input, a port in use, a full disk: one line
        print("hub-lite %s: error: %s" % (args.command, _describe(err)), file=sys.stderr)
        return 2


def _describe(err: Exception) -> str:
    """The message of a user-facing error (an ``OSError`` with its file, when it has one)."""
    if isinstance(err, OSError) and err.strerror:
        return "%s: %s" % (err.filename, err.strerror) if err.filename else err.strerror
    return str(err)


if __name__ == "__main__":
    sys.exit(main())
