"""``hub-lite``: the command-line entry point (``hub-lite pretrain-elmo --help``)."""
import argparse
import json
import os
import shlex
import sys


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


def _autofinetune_parser(sub) -> None:
    p = sub.add_parser(
        "autofinetune", help="search hyperparameters of a training script (PaddleHub 1.x's "
                             "AutoDL Finetuner, on Optuna)",
        description="Run SCRIPT once per trial with --name=value flags from PARAM_FILE "
                    "(PaddleHub's hparam.yaml); the script reports its score with "
                    "hub.report_final_result(score). Rerunning the command resumes a killed "
                    "search. Arguments after -- go to every trial. See "
                    "paddlehub_lite/autofinetune/search.py.")
    p.add_argument("script", help="the training script")
    p.add_argument("--param_file", required=True, help="hparam.yaml: a param_list of {name, "
                   "init_value, type, lower_than, greater_than}")
    p.add_argument("--popsize", type=int, default=5, help="trials per round (default 5)")
    p.add_argument("--round", type=int, default=10, help="rounds (default 10)")
    p.add_argument("--output_dir", required=True,
                   help="the study (study.db), each trial's directory and log, results.md, "
                        "best_params.yaml, best_flags.txt")
    p.add_argument("--evaluator", default="fulltrail", choices=["fulltrail", "populationbased"],
                   help="fulltrail (default): every trial trains from scratch; "
                        "populationbased is not supported")
    p.add_argument("--concurrency", type=int, default=None,
                   help="trials at once, each on its own cores (default: one per core)")
    p.add_argument("--pruning", action="store_true",
                   help="stop trials whose dev evaluations lag the others' median")
    p.add_argument("--seed", type=int, default=0, help="the sampler's seed (default 0)")
    p.set_defaults(func=_run_autofinetune)


def _run_autofinetune(args) -> int:
    from paddlehub_lite.autofinetune.search import AutoFinetune
    if args.evaluator != "fulltrail":
        raise ValueError("--evaluator populationbased is not supported: every trial trains "
                         "from scratch (fulltrail)")
    best = AutoFinetune(args.script, args.param_file, args.output_dir, popsize=args.popsize,
                        rounds=args.round, concurrency=args.concurrency, pruning=args.pruning,
                        seed=args.seed, script_args=args.passthrough).run()
    print("best trial %d: score %.5f, %s" % (best["number"], best["score"],
                                             json.dumps(best["params"])))
    return 0


def main(argv=None) -> int:
    os.environ.setdefault("GLOG_minloglevel", "2")
    from paddlehub_lite.utils.quiet import quiet_known_warnings
    quiet_known_warnings()
    parser = argparse.ArgumentParser(prog="hub-lite", description="paddlehub_lite tools")
    sub = parser.add_subparsers(dest="command", required=True)
    _pretrain_parser(sub)
    _adapt_parser(sub)
    _model_card_parser(sub)
    _autofinetune_parser(sub)
    from paddlehub_lite.deploy import commands as deploy_commands
    deploy_commands.register(sub)
    from paddlehub_lite import cache_commands
    cache_commands.register(sub)
    argv = sys.argv[1:] if argv is None else list(argv)
    cut = argv.index("--") if "--" in argv else len(argv)   # after --: the command's script's
    args = parser.parse_args(argv[:cut])
    args.argv, args.passthrough = argv, argv[cut + 1:]
    if args.passthrough and args.command != "autofinetune":
        parser.error("arguments after -- are for hub-lite autofinetune only")
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
