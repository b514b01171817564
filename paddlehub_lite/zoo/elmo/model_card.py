"""MODEL_CARD.md for a pretrained ELMo module, rendered from its manifest (so every figure in
the card is the one the pretraining run recorded)."""
import os
from typing import Dict, List, Optional

from paddlehub_lite.module.manifest import read_manifest

CARD = "MODEL_CARD.md"


def stage_record(module_dir: str) -> Dict:
    """What a module pretrained further (``hub-lite pretrain-elmo --init-module``) keeps of the
    module it started from, for its card: name, version, weights' sha256 and that module's own
    pretraining record (settings, held-out history, command, and the stages before it)."""
    manifest = read_manifest(module_dir)
    info = manifest.get("info", {})
    return {"name": manifest["name"], "version": manifest["version"],
            "weights_sha256": manifest["files"]["weights.npz"]["sha256"],
            "pretraining": info.get("pretraining", {}), "history": info.get("history", []),
            "untrained": info.get("untrained"), "command": info.get("command"),
            "continued_from": info.get("continued_from")}


def _earlier_stages(info: Dict) -> List[Dict]:
    """The modules this one was pretrained from, oldest first."""
    stages, record = [], info.get("continued_from")
    while record:
        stages.insert(0, record)
        record = record.get("continued_from")
    return stages


def _history_rows(version: str, start: Optional[Dict], start_label: str,
                  history: List[Dict]) -> List[str]:
    rows = []
    if start:
        rows.append("| %s | 0 (%s) | 0 | 0 | - | %.1f | %.1f |" % (
            version, start_label, start["fw_ppl"], start["bw_ppl"]))
    for rec in history:
        rows.append("| %s | %d | %d | %.1f | %.0f | %.1f | %.1f |" % (
            version, rec["step"], rec["epoch"], rec["train_seconds"] / 60,
            rec["tokens_per_second"], rec["fw_ppl"], rec["bw_ppl"]))
    return rows


def render(module_dir: str, command: Optional[str] = None) -> str:
    manifest = read_manifest(module_dir)
    net = manifest["network"]
    info = manifest.get("info", {})
    pre = info.get("pretraining", {})
    history = info.get("history", [])
    final = history[-1] if history else {}
    untrained = info.get("untrained") or {}
    command = command or info.get("command", "(not recorded)")
    weights = manifest["files"]["weights.npz"]
    tables = 1 if net.get("shared_embedding", True) else 2
    params = (tables * net["vocab_size"] * net["embed_dim"] + 2 * net["num_layers"] * (
        4 * net["hidden_size"] * (net["embed_dim"] + net["hidden_size"]) +
        8 * net["hidden_size"] + net["hidden_size"] * net["embed_dim"]))
    embedding = ("%d, shared by both directions" % net["embed_dim"] if tables == 1 else
                 "%d, one table per direction (trained in two processes)" % net["embed_dim"])
    lines = [
        "# Model card: %s %s" % (manifest["name"], manifest["version"]),
        "",
        "A word-level Chinese biLM (forward and backward LSTM language models) whose layers are",
        "mixed into ELMo features by `hub.Module(name=\"%s\").context()`." % manifest["name"],
        "",
        "## Network",
        "",
        "| | |",
        "|---|---|",
        "| vocabulary | %d words (`<S>`, `</S>`, `<UNK>`, then by frequency; min count %s) |"
        % (net["vocab_size"], pre.get("min_freq", "?")),
        "| token embedding | %s |" % embedding,
        "| per direction | %d LSTM layers of %d units, each projected to %d; residual on layer 2 |"
        % (net["num_layers"], net["hidden_size"], net["embed_dim"]),
        "| ELMo output | %d (forward + backward) per layer, 3 layers mixed |" % (2 * net["embed_dim"]),
        "| parameters | %.2f M in the encoder (shipped with the language model's softmax bias; "
        "its weights are the embedding) |" % (params / 1e6),
        "| weights file | %s, %.1f MB, sha256 `%s` |" % (manifest.get("weights_dtype", "?"),
                                                       weights["bytes"] / 1e6, weights["sha256"]),
        "",
        "## Data",
        "",
        "Corpus files: %s. Sentences were segmented with the reader's segmenter (%s), cut into"
        % (", ".join(pre.get("corpus_files", [])), pre.get("segmenter", "jieba")),
        "windows of at most %s words; every %s-th sentence (at most %s) was held out for"
        % (pre.get("max_len"), pre.get("heldout_every"), pre.get("heldout_max")),
        "perplexity. TSV files contributed their `text_a` column: %s."
        % (", ".join(f for f in pre.get("corpus_files", []) if f.endswith(".tsv")) or "none"),
        "",
        "## Training",
        "",
        "Adam, peak rate %s, %s warmup steps then linear decay (planned over %s epochs), global"
        % (pre.get("learning_rate"), pre.get("warmup_steps"), pre.get("epochs")),
        "norm clip %s, dropout %s, ~%s padded tokens a batch, sampled softmax over %s candidates"
        % (pre.get("clip_norm"), net.get("dropout"), pre.get("batch_tokens"),
           pre.get("num_sampled")),
        "(every target of the batch plus uniform negatives), tied to the input embedding.",
    ]
    stages = _earlier_stages(info)
    for stage in stages:
        sp = stage.get("pretraining", {})
        lines.append("Pretrained from %s %s (weights sha256 `%s`; its own run: peak rate %s, %s "
                     "epochs, %s candidates): the rows marked %s below; the held-out set is "
                     "the same when the corpus files are." % (
                         stage["name"], stage["version"], stage["weights_sha256"],
                         sp.get("learning_rate"), sp.get("epochs"), sp.get("num_sampled"),
                         stage["version"]))
    lines += [
        "",
        "| module | step | epoch | train minutes | train tokens/s | held-out ppl forward "
        "| backward |",
        "|---|---|---|---|---|---|---|",
    ]
    adapted = info.get("adapted_from")
    for index, stage in enumerate(stages):
        lines += _history_rows(stage["version"], stage.get("untrained"),
                               "untrained" if index == 0 else "start", stage["history"])
    lines += _history_rows(manifest["version"], untrained,
                           "before adaptation" if adapted else
                           "start" if stages else "untrained", history)
    lines += [
        "",
        "Final held-out perplexity (full softmax over the vocabulary, %s tokens): forward %.1f,"
        % (final.get("tokens", "?"), final.get("fw_ppl", float("nan"))),
        "backward %.1f." % final.get("bw_ppl", float("nan")),
        "",
        ("Adapted from %s %s (weights sha256 `%s`) by continuing its language-model training on "
         "the text above; the vocabulary is the original module's.\n"
         % (adapted["name"], adapted["version"], adapted["weights_sha256"]) if adapted else ""),
        ("## Notes\n\n%s\n" % info["notes"] if info.get("notes") else ""),
        "## Reproduce",
        "",
        "```sh",
    ] + ["%s  # -> %s %s" % (stage.get("command") or "(not recorded)", stage["name"],
                             stage["version"]) for stage in stages] + [
        command,
        "```",
        "",
    ]
    return "\n".join(lines)


def write(module_dir: str, command: Optional[str] = None) -> str:
    path = os.path.join(module_dir, CARD)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render(module_dir, command))
    return path
