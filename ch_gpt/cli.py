"""``python -m ch_gpt``: a character-level GPT trained from scratch on tiny Shakespeare.

The chapter in one screen: load the text (embedded, or ``--text FILE``), build its
character vocabulary, split it 90/10, build a ``CharGPT`` from ``common``'s layers,
train it with AdamW, a warm-up and cosine schedule and gradient clipping
(``common.training.loop``), measuring the loss on fixed training and validation
windows every 250 iterations; then generate a sample and draw the loss curves and
the attention of every head of one block over a line of text.
``--sample --load PATH`` only generates text with a saved model.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ch_gpt.model import CharGPT, load_model
from ch_gpt.options import PROGRAM, build_parser
from common.batches import RandomWindows
from common.cli import (
    INTERRUPTED,
    check_checkpoint_options,
    check_output_paths,
    exit_130_on_ctrl_c,
    write_json,
)
from common.memory import peak_memory_mb
from common.nets.files import save_params
from common.nets.perplexity import mean_loss
from common.nets.summary import summary
from common.optim import AdamW, WarmupCosine
from common.plots.attention import plot_attention, plot_loss_curves
from common.plots.figures import short_run_note, show_figures
from common.training.checkpoint import CheckpointError, SaveCheckpoints, read_checkpoint
from common.training.hooks import Evaluate, StepLog
from common.training.loop import Hook, Loop
from common.training.model_trainer import ClipGrads
from dataset import DatasetError
from dataset.text import (
    MIN_TEXT_CHARS,
    CharVocab,
    load_text_file,
    load_tiny_shakespeare,
    random_windows,
    split_ids,
)

#: The evaluation windows are the same for every seed and run, so losses compare.
EVAL_SEED = 1337


def load_text(args: argparse.Namespace) -> tuple[str, str]:
    """The text to train on and its name; DatasetError for a file that will not do."""
    if args.text is None:
        return load_tiny_shakespeare(), "tiny Shakespeare"
    # the validation part must hold a window and its target
    needed = max(MIN_TEXT_CHARS,
                 math.ceil((args.context + 2) / (1 - args.train_fraction) - 1e-9))
    return load_text_file(args.text, min_chars=needed), str(args.text)


def attention_line(text: str, context: int) -> str:
    """A line of ``text`` to show the attention over: the first of 24..context characters
    (the text's first ``context`` characters if there is none)."""
    for line in text.splitlines():
        if 24 <= len(line) <= context:
            return line
    return text[:context]


def generate(net: CharGPT, prompt: str, args: argparse.Namespace) -> str:
    """``args.tokens`` characters sampled after ``prompt``, reproducible for ``--seed``."""
    ids = net.vocab.encode(prompt)[np.newaxis]
    out = net.generate(ids, args.tokens, temperature=args.temperature, top_k=args.top_k,
                       rng=np.random.default_rng([args.seed, 3]))
    return net.vocab.decode(out[0, ids.shape[1]:])


def check_prompt(net: CharGPT, prompt: str) -> str | None:
    """An error message if the prompt cannot be encoded or is empty, else None."""
    if not prompt:
        return "--prompt is empty: give at least one character for the sample to follow"
    try:
        net.vocab.encode(prompt)
    except ValueError as err:
        return f"--prompt: {err}"
    return None


def settings(args: argparse.Namespace, vocab: CharVocab, text: str) -> dict[str, Any]:
    """What a checkpoint must agree with to be resumed: the text and every option that
    changes the steps of training."""
    keys = ("context", "dim", "layers", "heads", "iters", "batch_size", "lr", "min_lr",
            "warmup", "weight_decay", "beta1", "beta2", "clip", "seed", "eval_every",
            "eval_windows", "train_fraction")
    return {"program": PROGRAM, "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "vocabulary": "".join(vocab.chars), **{key: getattr(args, key) for key in keys}}


def draw_attention(net: CharGPT, line: str, args: argparse.Namespace) -> Path:
    """The heat maps of every head of --attention-layer (default the last) over ``line``."""
    layer = (args.attention_layer or net.num_layers) - 1
    weights = net.attention_weights(net.vocab.encode(line)[np.newaxis], layer)
    return plot_attention(weights, list(line), Path(args.out) / f"attention_layer{layer + 1}.png",
                          title=f"Attention of the {net.num_heads} heads of block {layer + 1} "
                                f"over {line!r}", show=args.show)


def sample_only(args: argparse.Namespace) -> int:
    """``--sample --load PATH``: print a sample of the saved model."""
    try:
        net = load_model(args.load)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    problem = check_prompt(net, args.prompt)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    sample = generate(net, args.prompt, args)
    print(args.prompt + sample)
    if args.json:
        write_json(args.json, {"program": PROGRAM, "mode": "sample", "load": args.load,
                               "prompt": args.prompt, "tokens": args.tokens,
                               "temperature": args.temperature, "top_k": args.top_k,
                               "seed": args.seed, "sample": sample})
    return 0


def train(net: CharGPT, args: argparse.Namespace, train_ids: np.ndarray,
          eval_sets: dict[str, tuple[np.ndarray, np.ndarray]], config: dict[str, Any]
          ) -> tuple[Loop, Evaluate]:
    """Train ``net`` with the reference recipe: AdamW (decay on matrices and embeddings),
    warm-up + cosine schedule, gradient clipping, on random windows of the text; the loss
    on each of ``eval_sets`` every --eval-every iterations. Resumes from --resume."""
    optimizer = WarmupCosine(AdamW(lr=args.lr, beta1=args.beta1, beta2=args.beta2,
                                   weight_decay=args.weight_decay),
                             warmup=min(args.warmup, args.iters), total=args.iters,
                             min_lr=min(args.min_lr, args.lr))
    evaluation = Evaluate({f"{name}_loss": partial(mean_loss, net, x, t)
                           for name, (x, t) in eval_sets.items()},
                          every_steps=args.eval_every, report=True)
    hooks: list[Hook] = [ClipGrads(args.clip)] if args.clip else []
    hooks += [evaluation, StepLog(50, args.iters)]
    if args.checkpoint:
        hooks.append(SaveCheckpoints(args.checkpoint, args.checkpoint_every, config))
    batches = RandomWindows(train_ids, args.batch_size, args.context, seed=args.seed)
    loop = Loop(net, optimizer, batches, steps=args.iters, hooks=hooks)
    if args.resume:
        read_checkpoint(args.resume).restore(loop, config)  # CheckpointError, nothing changed
        print(f"resumed from {args.resume} at iteration {loop.iteration}", flush=True)
    loop.run()
    if loop.stop_reason:
        print(loop.stop_message(), flush=True)
    return loop, evaluation


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the program; return the exit status (0 success, 1 bad data, model or checkpoint,
    or a diverged run, 130 interrupted with Ctrl-C: the report, sample, figures and --save
    are written all the same)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    check_output_paths(parser, args, files=("json", "save", "checkpoint"))
    if args.sample:
        if not args.load:
            parser.error("--sample generates with a saved model: give --load PATH")
        return sample_only(args)
    if args.dim % args.heads:
        parser.error(f"--dim {args.dim} must be a multiple of --heads {args.heads}")
    if args.attention_layer is not None and args.attention_layer > args.layers:
        parser.error(f"--attention-layer {args.attention_layer}: the model has {args.layers} "
                     "blocks")
    if args.load and (args.checkpoint or args.resume):
        parser.error("--load evaluates a saved model without training: it takes neither "
                     "--checkpoint nor --resume")
    check_checkpoint_options(parser, args)
    try:
        text, text_name = load_text(args)
    except DatasetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    vocab = CharVocab.from_text(text)
    train_ids, val_ids = split_ids(vocab.encode(text), args.train_fraction)
    if args.load:
        try:
            net = load_model(args.load)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        if net.vocab.chars != vocab.chars:
            print(f"error: {args.load} was trained on a text of other characters than "
                  f"{text_name}; give the --text it was trained on", file=sys.stderr)
            return 1
        args.context = net.context
    else:
        net = CharGPT(vocab, context=args.context, dim=args.dim, num_layers=args.layers,
                      num_heads=args.heads, seed=args.seed)
    problem = check_prompt(net, args.prompt)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    eval_rng = np.random.default_rng(EVAL_SEED)
    eval_sets = {name: random_windows(ids, args.eval_windows, args.context, eval_rng)
                 for name, ids in (("train", train_ids), ("val", val_ids))}

    print(f"{text_name}: {len(text):,} characters, {len(vocab)} distinct; "
          f"{len(train_ids):,} to train on, {len(val_ids):,} to validate")
    summary(net)
    out = Path(args.out)
    report: dict[str, Any] = {
        "program": PROGRAM, "text": text_name, "characters": len(text),
        "vocab_size": len(vocab),
        "model": {"context": net.context, "dim": net.dim, "layers": net.num_layers,
                  "heads": net.num_heads,
                  "parameters": int(sum(p.size for p in net.params.values()))},
        "figures": {},
    }
    status = 0
    if args.load:
        print(f"model loaded from {args.load}")
        losses = {name: mean_loss(net, x, t) for name, (x, t) in eval_sets.items()}
        report.update(mode="evaluate", load=args.load)
    else:
        print(f"AdamW lr {args.lr:g} (β1 {args.beta1:g}, β2 {args.beta2:g}, weight decay "
              f"{args.weight_decay:g} on matrices and embeddings), "
              f"{min(args.warmup, args.iters)} warm-up iterations then cosine to "
              f"{args.min_lr:g} at {args.iters}, gradient norm "
              f"clipped at {args.clip:g}, batch {args.batch_size}x{args.context}, seed "
              f"{args.seed}; losses on {args.eval_windows} fixed windows every "
              f"{args.eval_every} iterations", flush=True)
        if args.iters <= args.warmup:
            print(f"note: --iters {args.iters} is no more than --warmup {args.warmup}: the whole "
                  f"run is warm-up, the learning rate only climbs towards {args.lr:g} and never "
                  "decays; run more iterations (the default is 2000) or lower --warmup",
                  flush=True)
        config = settings(args, vocab, text)
        try:
            loop, evaluation = train(net, args, train_ids, eval_sets, config)
        except CheckpointError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        history = loop.history
        if history["eval_iteration"][-1:] != [loop.iteration]:
            evaluation.evaluate(loop, loop.iteration)  # interrupted or diverged in between
        losses = {name: history[f"{name}_loss"][-1] for name in eval_sets}
        status = INTERRUPTED if loop.interrupted else 1 if loop.diverged else 0
        history["loss"] = loop.losses
        report.update(
            mode="train", settings={key: value for key, value in config.items()
                                    if key not in ("text_sha256", "vocabulary")},
            iterations=loop.iteration, interrupted=loop.interrupted,
            diverged=loop.diverged, resumed_from=str(args.resume) if args.resume else None,
            seconds=round(loop.seconds, 2),
            iterations_per_second=round(loop.steps_per_second, 3),
            history={key: history[key] for key in ("loss", "eval_iteration", "train_loss",
                                                   "val_loss")},
        )
        report["figures"]["loss_curves"] = str(plot_loss_curves(
            history["loss"], history["eval_iteration"],
            {name: history[f"{name}_loss"] for name in eval_sets}, out / "loss_curves.png",
            title=f"GPT {net.num_layers}x{net.dim}, {net.num_heads} heads, on {text_name}",
            reference=math.log(len(vocab)), show=args.show))
        note = short_run_note(len(history["eval_iteration"]),
                              more="iterations (or a smaller --eval-every)")
        if note:
            print(note)
        if args.save:
            save_params(net, args.save)
            print(f"model saved to {args.save}")
    print(f"train loss {losses['train']:.4f}  val loss {losses['val']:.4f} (mean over "
          f"{args.eval_windows} fixed windows of {args.context} characters; uniform guessing: "
          f"{math.log(len(vocab)):.4f})")
    sample = generate(net, args.prompt, args)
    print(f"\nA sample ({args.tokens} characters, temperature {args.temperature:g}"
          f"{f', top-k {args.top_k}' if args.top_k else ''}):\n{args.prompt}{sample}\n")
    line = attention_line(text[len(train_ids):], net.context)
    report["figures"]["attention"] = str(draw_attention(net, line, args))
    report.update(train_loss=losses["train"], val_loss=losses["val"], sample=sample,
                  prompt=args.prompt, peak_rss_mb=round(peak_memory_mb(), 1))
    print(f"figures in {out}/: " + ", ".join(Path(p).name for p in report["figures"].values()))
    if args.json:
        write_json(args.json, report)
    show_figures(args.show)
    return status
