"""``python -m ch_rnnlm``: the recurrent language models of the second book, trained on
word-level tiny Shakespeare.

The chapter in one screen: load the three splits of the word stream (``dataset.text.
load_words``, or ``dataset.ptb.load_data`` with ``--data ptb``), then for each model
(SimpleRnnlm, Rnnlm, BetterRnnlm of ``common.nets``) train it with SGD, gradient
clipping and truncated BPTT (``ch_rnnlm.training.train_rnnlm``: the training loop and its
hooks), measuring the validation perplexity after every epoch: the best epoch's parameters
are kept and the learning rate is divided by ``--lr-decay`` after an epoch that does not
improve. The test perplexity is measured once, on the kept parameters. Each model then
writes a text, and one figure shows the perplexity curves of all of them.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ch_rnnlm.options import DEFAULT_LR, MODELS, PROGRAM, build_parser
from ch_rnnlm.training import train_rnnlm
from common.cli import (
    INTERRUPTED,
    check_checkpoint_options,
    check_output_paths,
    exit_130_on_ctrl_c,
    write_json,
)
from common.memory import peak_memory_mb
from common.nets.better_rnnlm import BetterRnnlm
from common.nets.perplexity import check_corpus, eval_perplexity
from common.nets.rnnlm import Rnnlm, RnnlmBase
from common.nets.simple_rnnlm import SimpleRnnlm
from common.nets.summary import summary
from common.optim import SGD
from common.plots.figures import short_run_note, show_figures
from common.plots.perplexity import plot_perplexities
from common.training.checkpoint import CheckpointError
from dataset import DatasetError
from dataset.text import detokenize

#: The first word of the generated texts, and the words never generated (the book skips
#: PTB's unknown-word token, numbers and the dollar sign).
START = {"shakespeare": "romeo", "ptb": "you"}
SKIP = {"shakespeare": [], "ptb": ["N", "<unk>", "$"]}


Corpora = tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, int], dict[int, str]]


def load_corpora(args: argparse.Namespace) -> Corpora:
    """(train, val, test, word_to_id, id_to_word) of --data, cut to --max-words."""
    if args.data == "ptb":
        from dataset import ptb

        train, word_to_id, id_to_word = ptb.load_data("train")
        val, test = ptb.load_data("val")[0], ptb.load_data("test")[0]
    else:
        from dataset.text import load_words

        train, word_to_id, id_to_word = load_words("train")
        val, test = load_words("val")[0], load_words("test")[0]
    if args.max_words:
        train, val, test = (c[:args.max_words] for c in (train, val, test))
    return train, val, test, word_to_id, id_to_word


def build_model(name: str, vocab_size: int, args: argparse.Namespace) -> RnnlmBase:
    """The model --model names, with the sizes of the options and --seed."""
    if name == "better":
        return BetterRnnlm(vocab_size, args.better_size, args.better_size, args.dropout,
                           seed=args.seed)
    cls = SimpleRnnlm if name == "simple" else Rnnlm
    return cls(vocab_size, args.size, args.size, seed=args.seed)


def learning_rate(name: str, args: argparse.Namespace) -> float:
    """--lr, or the model's default."""
    return args.lr or DEFAULT_LR[name]


def settings(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """What a checkpoint must agree with to be resumed (``train_rnnlm`` adds its own)."""
    keys = ("data", "max_words", "size", "better_size", "dropout", "seed")
    return {"program": PROGRAM, "model": name, "lr": learning_rate(name, args),
            **{k: getattr(args, k) for k in keys}}


def train_one(name: str, corpora: Corpora, args: argparse.Namespace) -> dict[str, Any]:
    """Train, select by validation, test and sample one model; its report."""
    train, val, test, word_to_id, id_to_word = corpora
    model = build_model(name, len(word_to_id), args)
    cls = MODELS[name]
    params = int(sum(p.size for p in model.params.values()))
    lr = learning_rate(name, args)
    print(f"\n=== {cls} ({params:,} parameters), SGD learning rate {lr:g} ===", flush=True)
    summary(model)
    run = train_rnnlm(model, SGD(lr=lr), train, val, epochs=args.epochs,
                      batch_size=args.batch_size, time_size=args.time_size,
                      max_grad=args.max_grad, eval_interval=args.eval_interval,
                      lr_decay=args.lr_decay, checkpoint=args.checkpoint,
                      checkpoint_every=args.checkpoint_every, resume=args.resume,
                      settings=settings(name, args))
    loop, validation = run.loop, run.validation
    kept = "the best validated epoch's" if run.kept_best else "the last"
    test_ppl = eval_perplexity(model, test) if not loop.diverged else math.nan
    print(f"{cls}: test perplexity {test_ppl:.2f} with {kept} parameters (epoch "
          f"{validation.best_at or loop.epoch}); best validation perplexity "
          f"{validation.best_value:.2f}", flush=True)
    skip = [word_to_id[w] for w in SKIP[args.data] if w in word_to_id]
    ids = model.generate(word_to_id[args.start], skip, args.sample_size,
                         seed=np.random.default_rng([args.seed, 7]))
    sample = detokenize([id_to_word[i] for i in ids])
    print(f"{cls} writes:\n{sample}\n", flush=True)
    curves = run.curves()
    return {
        "class": cls, "parameters": params, "sizes": model.sizes, "lr": lr,
        "epochs": loop.epoch, "iterations": loop.iteration, "seconds": round(loop.seconds, 2),
        "iterations_per_second": round(loop.iteration / loop.seconds, 2)
        if loop.seconds else None,
        "interrupted": loop.interrupted, "diverged": loop.diverged, **curves,
        "best_epoch": validation.best_at,
        "best_val_ppl": validation.best_value if curves["val_ppl"] else None,
        "test_ppl": test_ppl, "sample": sample,
    }


def check_data(args: argparse.Namespace, corpora: Corpora) -> str | None:
    """An error message when a split is too short for its batches or --start is not a word
    of the vocabulary, else None."""
    train, val, test, word_to_id, _ = corpora
    try:
        check_corpus(train, args.batch_size, args.time_size, "the training split", extra=1)
        for split, corpus in (("validation", val), ("test", test)):
            check_corpus(corpus, 10, 35, f"the {split} split", extra=1)
    except ValueError as err:
        return str(err) + (" (--max-words cuts every split)" if args.max_words else "")
    if args.start not in word_to_id:
        return (f"--start {args.start!r} is not a word of the vocabulary ({len(word_to_id):,} "
                "lower-case words and punctuation marks)")
    return None


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the program; return the exit status (0 success, 1 bad data or checkpoint or a
    diverged run, 130 interrupted with Ctrl-C: the models trained so far are reported and
    drawn all the same)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.checkpoint or args.resume) and args.model == "all":
        parser.error("--checkpoint and --resume follow one model's training: choose it with "
                     "--model")
    check_output_paths(parser, args, files=("json", "checkpoint"))
    check_checkpoint_options(parser, args)
    args.start = (args.start or START[args.data]).lower()
    try:
        corpora = load_corpora(args)
    except DatasetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    problem = check_data(args, corpora)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    train, val, test, word_to_id, _ = corpora
    data_name = "word-level tiny Shakespeare" if args.data == "shakespeare" else "Penn Treebank"
    print(f"{data_name}: {len(train):,} training, {len(val):,} validation and {len(test):,} "
          f"test words; a vocabulary of {len(word_to_id):,}")
    print(f"SGD (its learning rate divided by {args.lr_decay:g} after an epoch without a "
          f"better validation perplexity), gradient norm clipped at {args.max_grad:g}, batches of "
          f"{args.batch_size} rows x {args.time_size} time steps, {args.epochs} epochs, "
          f"seed {args.seed}", flush=True)
    names = list(MODELS) if args.model == "all" else [args.model]
    runs: dict[str, dict[str, Any]] = {}
    status, start = 0, time.perf_counter()
    for name in names:
        try:
            run = train_one(name, corpora, args)
        except CheckpointError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        runs[MODELS[name]] = run
        if run["interrupted"] or run["diverged"]:
            status = INTERRUPTED if run["interrupted"] else 1
            break
    out = Path(args.out)
    figure = plot_perplexities(runs, out / "perplexity.png",
                               title=f"Recurrent language models on {data_name}",
                               show=args.show)
    note = short_run_note(min((len(run["val_ppl"]) for run in runs.values()), default=2),
                          what="validation perplexity")
    if note:
        print(note)
    print("model         parameters  best epoch  validation ppl  test ppl  seconds")
    for cls, run in runs.items():
        val_ppl = run["best_val_ppl"] if run["best_val_ppl"] is not None else math.nan
        print(f"{cls:<13} {run['parameters']:>10,}  {run['best_epoch']:>10}  {val_ppl:>14.2f}"
              f"  {run['test_ppl']:>8.2f}  {run['seconds']:>7.1f}")
    report = {
        "program": PROGRAM, "data": args.data, "vocab_size": len(word_to_id),
        "words": {"train": len(train), "val": len(val), "test": len(test)},
        "settings": {k: getattr(args, k) for k in (
            "epochs", "batch_size", "time_size", "lr", "lr_decay", "max_grad",
            "eval_interval", "size", "better_size", "dropout", "seed", "max_words", "start",
            "sample_size")},
        "models": runs, "seconds": round(time.perf_counter() - start, 2),
        "figures": {"perplexity": str(figure)}, "peak_rss_mb": round(peak_memory_mb(), 1),
    }
    print(f"figure: {figure}; {report['seconds']:.0f} s, peak memory "
          f"{report['peak_rss_mb']:.0f} MB")
    if args.json:
        write_json(args.json, report)
    show_figures(args.show)
    return status
