"""A tiny ELMo + GRU classifier on a ChnSentiCorp slice: used by the engine tests, in-process
and as a script (``python tiny_finetune.py --help``) for kill/resume and data-parallel runs."""
import argparse
import json
import os
import signal
import sys

import paddle

import paddlehub_lite as hub
from paddlehub_lite.nets import gru_net


def write_slice(target_dir, source_dir, train=1000, dev=200, test=200):
    os.makedirs(target_dir, exist_ok=True)
    for name, n in (("train.tsv", train), ("dev.tsv", dev), ("test.tsv", test)):
        with open(os.path.join(source_dir, name), encoding="utf-8") as src:
            lines = [next(src) for _ in range(n + 1)]
        with open(os.path.join(target_dir, name), "w", encoding="utf-8") as dst:
            dst.writelines(lines)
    return target_dir


def build_task(module_dir, data_dir, checkpoint_dir, mode="frozen", seed=1, num_epoch=4,
               batch_size=16, task_class=None, learning_rate=3e-3, max_seq_len=128,
               class_weights=None, dataset=None, metrics_choices=("acc", "f1"),
               strategy=None, use_elmo=True, hid_dim=16, default_startup=False,
               **config_kwargs):
    """The tiny task. ``use_elmo=False`` leaves the ELMo out of the network but keeps the
    module's inputs (unused): for settings checks only, as its export fails.
    ``default_startup``: build the layers into Paddle's default startup program and give
    the task none (PaddleHub 1.x scripts' way)."""
    paddle.enable_static()
    module = hub.Module(directory=module_dir)
    context_args = {"frozen": dict(trainable=True, bilm_trainable=False),
                    "top": dict(trainable=True, bilm_trainable="top"),
                    "trainable": dict(trainable=True), "fixed": dict(trainable=False)}[mode]
    inputs, outputs, program = module.context(**context_args)
    dataset = dataset or hub.dataset.ChnSentiCorp(base_path=data_dir)
    reader = hub.reader.LACClassifyReader(dataset=dataset, vocab_path=module.get_vocab_path(),
                                          max_seq_len=max_seq_len)
    startup = paddle.static.default_startup_program() if default_startup \
        else paddle.static.Program()
    with paddle.static.program_guard(program, startup):
        emb = paddle.nn.Embedding(
            len(reader.vocab), 16, weight_attr=paddle.ParamAttr(
                name="word_emb", learning_rate=30,
                initializer=paddle.nn.initializer.Uniform(-0.1, 0.1)))
        x = emb(inputs["word_ids"])
        if use_elmo:
            x = paddle.concat([outputs["elmo_embed"], x], axis=-1)
        feature = gru_net(x, outputs["seq_len"], outputs["mask"], hid_dim=hid_dim, hid_dim2=12)
    strategy = strategy or hub.AdamWeightDecayStrategy(learning_rate=learning_rate,
                                                       weight_decay=0.01, warmup_proportion=0.1)
    config = hub.RunConfig(use_cuda=False, num_epoch=num_epoch, batch_size=batch_size,
                           checkpoint_dir=checkpoint_dir, strategy=strategy, seed=seed,
                           **config_kwargs)
    task_class = task_class or hub.TextClassifierTask
    extra = {} if class_weights is None else {"class_weights": class_weights}
    return task_class(data_reader=reader, feature=feature, feed_list=[inputs["word_ids"].name],
                      num_classes=dataset.num_labels, config=config,
                      startup_program=None if default_startup else startup,
                      metrics_choices=list(metrics_choices), **extra)


def dump_params(task, path):
    from paddlehub_lite.utils import params_io
    names = [n for n in params_io.state_names(task.test_program)]
    params_io.save_state(path, params_io.read_state(task.scope, names))


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--module", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--ckpt", required=True)
    parser.add_argument("--dump", required=True, help="write final params to DUMP.rank<N>.npz")
    parser.add_argument("--kill-at-step", type=int, default=0,
                        help="SIGKILL right after the checkpoint of this step is complete")
    parser.add_argument("--kill-after-step", type=int, default=0,
                        help="SIGKILL when this many steps are done (before the next one)")
    parser.add_argument("--kill-in-write", type=int, default=0,
                        help="SIGKILL while the checkpoint of this step is half written")
    parser.add_argument("--data-parallel", action="store_true")
    parser.add_argument("--kill-rank", type=int, default=None,
                        help="with --kill-at-step: SIGKILL only this data-parallel rank, at the "
                             "first log line at or after that step")
    parser.add_argument("--no-dropout", action="store_true")
    parser.add_argument("--sgd", action="store_true",
                        help="plain SGD (rate 0.05), no clipping: a wrong gradient scale shows "
                             "in the parameters (Adam and global-norm clipping hide it)")
    parser.add_argument("--record-shards", default=None,
                        help="write the sample indices this rank trained on, per step, to "
                             "RECORD_SHARDS.rank<N>.json")
    parser.add_argument("--early-stopping", type=int, default=None,
                        help="evaluate on dev every 5 steps with this patience")
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--num-epoch", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--mode", default="frozen", help="what of the biLM trains (build_task)")
    args = parser.parse_args(argv)
    extra = {}
    if args.data_parallel:
        extra["use_data_parallel"] = True
    if args.sgd:
        extra["strategy"] = hub.DefaultStrategy(learning_rate=0.05, optimizer_name="sgd")
    if args.early_stopping:
        extra["early_stopping_patience"] = args.early_stopping
    task = build_task(args.module, args.data, args.ckpt, mode=args.mode, num_epoch=args.num_epoch,
                      batch_size=args.batch_size, save_ckpt_interval=5,
                      eval_interval=5 if args.early_stopping else 1000,
                      learning_rate=args.learning_rate,
                      task_class=hub.ClassifierTask if args.no_dropout else None, **extra)
    shards = []
    if args.record_shards or args.kill_after_step:
        from paddlehub_lite.finetune import batching
        real_shard = batching.shard

        def recording_shard(batch, rank, world_size):     # called once before each step
            if args.kill_after_step and task.global_step == args.kill_after_step:
                os.kill(os.getpid(), signal.SIGKILL)
            local = real_shard(batch, rank, world_size)
            shards.append([int(i) for i in local])
            return local
        batching.shard = recording_shard
    if args.kill_at_step and args.kill_rank is not None:
        def kill_rank(task, **_):
            if task.parallel.rank == args.kill_rank and task.global_step >= args.kill_at_step:
                os.kill(os.getpid(), signal.SIGKILL)
        task.add_hook("log_interval", kill_rank)
    elif args.kill_at_step:
        def kill(task, **_):
            if task.global_step == args.kill_at_step:
                os.kill(os.getpid(), signal.SIGKILL)
        task.add_hook("save_ckpt", kill)
    if args.kill_in_write:
        from paddlehub_lite.finetune import checkpoint
        real_save = checkpoint.params_io.save_state

        def save_then_die(path, state):
            real_save(path, state)    # state.npz written; trainer.json and the renames not yet
            if ".tmp-step_%d-" % args.kill_in_write in path:
                os.kill(os.getpid(), signal.SIGKILL)
        checkpoint.params_io.save_state = save_then_die
    task.finetune(do_eval=bool(args.early_stopping))
    rank = task.parallel.rank
    dump_params(task, "%s.rank%d.npz" % (args.dump, rank))
    if args.record_shards:
        with open("%s.rank%d.json" % (args.record_shards, rank), "w") as handle:
            json.dump(shards, handle)
    with open("%s.rank%d.json" % (args.dump, rank), "w") as handle:
        json.dump({"global_step": task.global_step, "world_size": task.parallel.world_size,
                   "num_threads": task.num_threads,
                   "stopped_early": task.training.stopped_early}, handle)


if __name__ == "__main__":
    sys.exit(main())
