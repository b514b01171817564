"""The demo's network, shared by elmo_finetune.py and predict.py (PaddleHub's demo copied it
into both scripts): module -> dataset -> reader -> word embedding + ELMo -> gru_net."""
import argparse
import json
import os

import paddle

import paddlehub_lite as hub
from paddlehub_lite.nets import NETWORKS


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Flags shared by finetuning and prediction (the original's, plus a few)."""
    bool_arg = lambda s: str(s).lower() in ("1", "true", "yes", "y")  # noqa: E731
    parser.add_argument("--use_gpu", type=bool_arg, default=True,
                        help="use a GPU if Paddle has CUDA and one is visible (default True; "
                             "falls back to the CPU with a warning)")
    parser.add_argument("--checkpoint_dir", type=str, default=None,
                        help="checkpoints, best_model/ and vdllog/ (default ckpt_<timestamp>)")
    parser.add_argument("--learning_rate", type=float, default=1e-3, help="default 1e-3")
    parser.add_argument("--weight_decay", type=float, default=0.01, help="default 0.01")
    parser.add_argument("--warmup_proportion", type=float, default=0.1, help="default 0.1")
    parser.add_argument("--seed", type=int, default=1, help="default 1")
    parser.add_argument("--max_seq_len", type=int, default=128,
                        help="words kept per text (default 128)")
    parser.add_argument("--bilm_trainable", type=lambda s: "top" if s == "top" else bool_arg(s),
                        default="top",
                        help="what of the biLM is finetuned: default top, its top LSTM layer "
                             "of each direction, run in every step from the cached layer "
                             "below (chosen by dev with --num_epoch 3: BENCHMARKS.md); False "
                             "none: the biLM frozen, its features cached, only the layer mix "
                             "trained (PaddleHub 1.x; steps 2-2.5x faster, 0.5-0.8 test "
                             "lower); True the whole biLM (much slower)")
    parser.add_argument("--use_elmo", type=bool_arg, default=True,
                        help="concatenate the ELMo embedding (default True; False is the "
                             "ablation: the word embedding alone, same head and budget)")
    parser.add_argument("--module_dir", type=str, default=None,
                        help="load the ELMo module from this directory instead of by name")
    parser.add_argument("--elmo_layers", type=str, default="0,1,2",
                        help="biLM representations the ELMo embedding mixes: 0 the token "
                             "embedding, 1-2 the LSTM layers (default 0,1,2, as PaddleHub)")
    parser.add_argument("--elmo_dropout", type=float, default=0.0,
                        help="dropout on the ELMo embedding while training (default 0.0)")
    parser.add_argument("--mix_l2", type=float, default=0.0,
                        help="L2 penalty on the layer-mix weights (default 0.0)")
    parser.add_argument("--word_emb_lr", type=float, default=30.0,
                        help="learning-rate multiplier of the word embedding (default 30, "
                             "PaddleHub's demo)")
    parser.add_argument("--network", type=str, default="gru", choices=sorted(NETWORKS),
                        help="the classifier head of PaddleHub's demo (default gru)")
    parser.add_argument("--fluid_nets", type=bool_arg, default=False,
                        help="build the word embedding and the network with PaddleHub 1.x's "
                             "fluid code through paddlehub_lite.compat.fluid (fluid_nets.py) "
                             "instead of the native nets (default False)")
    parser.add_argument("--dataset_dir", type=str, default=None,
                        help="train on your own data: DIR/train.tsv, dev.tsv, test.tsv with a "
                             "header and text_a<TAB>label rows, any number of classes")
    parser.add_argument("--label_list", type=str, default=None,
                        help="with --dataset_dir: the labels in class order, comma-separated "
                             "(default: the distinct labels of train.tsv, sorted)")
    parser.add_argument("--strategy", type=str, default="adam_weight_decay",
                        choices=sorted(STRATEGIES),
                        help="the optimization strategy (default adam_weight_decay: warmup, "
                             "linear decay, --weight_decay, global-norm clip 1.0); the others "
                             "are PaddleHub 1.x's, set with --strategy_settings")
    parser.add_argument("--strategy_settings", type=json.loads, default={},
                        help="JSON keyword arguments of the --strategy class besides its "
                             "learning rate, e.g. '{\"scheduler\": {\"gradual_unfreeze\": 3}}' "
                             "for combined, '{\"frz_blocks\": 2}' for ulmfit (default {})")
    parser.add_argument("--cache_budget", type=str, default=None,
                        help="disk the frozen ELMo's feature cache may take, e.g. 20GB; past "
                             "it features are computed in every epoch, 0 keeps none (default: "
                             "half of the free disk space); `hub-lite cache list` shows it")
    parser.add_argument("--data_dir", type=str, default=None,
                        help="read ChnSentiCorp train/dev/test.tsv from here instead of "
                             "$PADDLEHUB_LITE_HOME/dataset (downloaded when missing)")


# --strategy: the class; its keyword arguments come from --strategy_settings.
STRATEGIES = {"adam_weight_decay": None, "combined": "CombinedStrategy",
              "ulmfit": "ULMFiTStrategy", "default_finetune": "DefaultFinetuneStrategy",
              "l2sp": "L2SPFinetuneStrategy"}

# The flags that shape the network or its training, recorded in every checkpoint.
NETWORK_FLAGS = ("use_elmo", "network", "fluid_nets", "elmo_layers", "bilm_trainable",
                 "elmo_dropout", "mix_l2", "word_emb_lr")


def word_ids_only():
    """The ablation's inputs: the same padded word ids (pad id 0), lengths and mask as the
    module's context, without the ELMo program."""
    program = paddle.static.Program()
    with paddle.static.program_guard(program, paddle.static.Program()):
        word_ids = paddle.static.data("word_ids", [-1, -1], "int64")
        mask = (word_ids != 0).astype("float32").unsqueeze(-1)
        seq_len = paddle.sum((word_ids != 0).astype("int64"), axis=1)
    return {"word_ids": word_ids}, {"seq_len": seq_len, "mask": mask}, program


def load_dataset(args):
    """ChnSentiCorp (from ``--data_dir`` or the home copy) or the user's ``--dataset_dir``."""
    if not args.dataset_dir:
        if args.label_list:
            raise SystemExit("--label_list goes with --dataset_dir")
        return (hub.dataset.ChnSentiCorp(base_path=args.data_dir) if args.data_dir
                else hub.dataset.ChnSentiCorp())
    if args.data_dir:
        raise SystemExit("give --dataset_dir or --data_dir, not both")
    files = {}
    for split in ("train", "dev", "test"):
        path = os.path.join(args.dataset_dir, split + ".tsv")
        if os.path.isfile(path):
            files[split] = split + ".tsv"
        elif split != "test":
            raise SystemExit("%s is missing (--dataset_dir needs train.tsv and dev.tsv; "
                             "test.tsv is optional)" % path)
    labels = [x.strip() for x in args.label_list.split(",")] if args.label_list else None
    return hub.dataset.BaseNLPDataset(
        args.dataset_dir, train_file=files["train"], dev_file=files["dev"],
        test_file=files.get("test"), label_list=labels, train_file_with_header=True,
        dev_file_with_header=True, test_file_with_header=True)


def build(args, num_epoch: int = 1):
    """Steps 1-4 of the demo; returns (task, dataset)."""
    paddle.enable_static()
    # Step 1: the pretrained module.
    module = hub.Module(directory=args.module_dir) if args.module_dir else hub.Module(name="elmo")
    if args.use_elmo:
        inputs, outputs, program = module.context(
            trainable=True, max_seq_len=args.max_seq_len, bilm_trainable=args.bilm_trainable,
            use_layers=[int(j) for j in args.elmo_layers.split(",")],
            dropout=args.elmo_dropout, mix_l2=args.mix_l2)
    else:
        inputs, outputs, program = word_ids_only()
    # Step 2: dataset and reader.
    dataset = load_dataset(args)
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=module.get_vocab_path(),
                                          max_seq_len=args.max_seq_len)
    word_dict_len = len(reader.vocab)
    word_ids = inputs["word_ids"]
    # Step 3: a randomly initialised word embedding (learning rate x30) beside the ELMo
    # embedding, then the GRU network; new layers go into the module's program.
    startup = paddle.static.Program()
    if args.fluid_nets:
        if not args.use_elmo:
            raise SystemExit("--fluid_nets needs the ELMo (--use_elmo True)")
        import fluid_nets
        with paddle.static.program_guard(program, startup):
            input_feature = fluid_nets.elmo_and_word_embedding(word_ids, outputs["elmo_embed"],
                                                               word_dict_len)
            fc = fluid_nets.NETS[args.network](program, input_feature)
        return finish(args, num_epoch, reader, dataset, fc, [word_ids.name], startup)
    with paddle.static.program_guard(program, startup):
        word_embedding = paddle.nn.Embedding(
            word_dict_len, 128, weight_attr=paddle.ParamAttr(
                name="word_embedding", learning_rate=args.word_emb_lr,
                initializer=paddle.nn.initializer.Uniform(-0.1, 0.1)))(word_ids)
        input_feature = (paddle.concat([outputs["elmo_embed"], word_embedding], axis=-1)
                         if args.use_elmo else word_embedding)
        fc = NETWORKS[args.network](input_feature, outputs["seq_len"], outputs["mask"])
    return finish(args, num_epoch, reader, dataset, fc, [word_ids.name], startup)


def finish(args, num_epoch, reader, dataset, fc, feed_list, startup):
    """Step 4: strategy, run config, task; returns (task, dataset)."""
    if args.strategy == "adam_weight_decay":
        strategy = hub.AdamWeightDecayStrategy(weight_decay=args.weight_decay,
                                               learning_rate=args.learning_rate,
                                               lr_scheduler="linear_decay",
                                               warmup_proportion=args.warmup_proportion,
                                               **args.strategy_settings)
    else:
        strategy = getattr(hub, STRATEGIES[args.strategy])(learning_rate=args.learning_rate,
                                                           **args.strategy_settings)
    config = hub.RunConfig(use_cuda=args.use_gpu, use_data_parallel=True, num_epoch=num_epoch,
                           batch_size=args.batch_size, checkpoint_dir=args.checkpoint_dir,
                           strategy=strategy, seed=args.seed, cache_budget=args.cache_budget)
    task = hub.TextClassifierTask(data_reader=reader, feature=fc, feed_list=feed_list,
                                  num_classes=dataset.num_labels, config=config,
                                  startup_program=startup)
    # Resuming a checkpoint made with other values of these flags stops naming the flag.
    task.record_settings(**{"--" + name: getattr(args, name) for name in NETWORK_FLAGS})
    if args.strategy != "adam_weight_decay" or args.strategy_settings:   # (older runs: none)
        task.record_settings(**{"--strategy": args.strategy,
                                "--strategy_settings": args.strategy_settings})
    return task, dataset
