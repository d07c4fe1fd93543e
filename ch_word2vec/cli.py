"""``python -m ch_word2vec``: word vectors of tiny Shakespeare by counting and by CBOW.

The chapter in one screen: load the words of the text (``dataset.text.load_words``),
make vectors for its most frequent words by counting (co-occurrence in a window, PPMI,
truncated SVD), train CBOW with negative sampling on the whole text, then ask both
the same questions (nearest neighbours, analogies: by the book's ``analogy`` and by
``analogy_cosine``) among the same words, print the answers side by side and draw a map
of some words' vectors. Ctrl-C during training stops it and reports on the vectors
learned so far.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ch_word2vec.compare import RULES, analogies, neighbours, report_text, right_counts
from ch_word2vec.methods import count_based, load_text, train_cbow
from ch_word2vec.options import ANALOGIES, PROGRAM, QUERIES, WORD_GROUPS, build_parser
from common.cli import INTERRUPTED, check_output_paths, exit_130_on_ctrl_c, write_json
from common.memory import peak_memory_mb
from common.plots.figures import show_figures
from common.plots.wordvec import plot_word_map
from common.wordvec import save_word_vectors

COUNT, LEARNED = "count (PPMI+SVD)", "CBOW"


def save_vectors(folder: Path, vectors: dict[str, np.ndarray],
                 id_to_word: dict[int, str]) -> dict[str, str]:
    """Write each set of vectors to folder/<name>.npz (rows: ids 0..n-1 of ``id_to_word``)."""
    written = {}
    for name, array in vectors.items():
        words = [id_to_word[i] for i in range(len(array))]
        written[name] = str(save_word_vectors(folder / f"{name}.npz", array, words))
    return written


@exit_130_on_ctrl_c
def main(argv: list[str] | None = None) -> int:
    """Run the program; return the exit status (0 done, 1 a diverged run, 130 interrupted
    with Ctrl-C during training: the report and figure are made all the same)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    check_output_paths(parser, args, folders=("out", "save"))
    started = time.perf_counter()
    words = load_text(args.max_tokens)
    n_tokens, n_words = len(words.corpus), len(words.id_to_word)
    if n_tokens < 2 * args.window + 1:
        parser.error(f"--window {args.window} needs at least {2 * args.window + 1} tokens, "
                     f"and --max-tokens gives {n_tokens}")
    if n_words < 2:
        parser.error(f"--max-tokens {args.max_tokens} gives a single distinct word")
    vocab = min(args.vocab, n_words)
    print(f"tiny Shakespeare: {n_tokens:,} tokens, {n_words:,} distinct words; window "
          f"{args.window}, vectors of {args.hidden} numbers", flush=True)

    count = count_based(words, vocab, args.window, args.hidden, args.seed)
    print(f"count-based: the {vocab:,} most frequent words, co-occurrence matrix "
          f"{count.seconds['co_matrix']:.1f} s, PPMI {count.seconds['ppmi']:.1f} s "
          f"({100 * count.nonzero_ppmi:.1f}% non-zero), truncated SVD to "
          f"{count.vectors.shape[1]} dimensions {count.seconds['svd']:.1f} s", flush=True)

    print(f"CBOW with negative sampling ({args.negatives} negatives), Adam lr {args.lr:g}, "
          f"batch {args.batch_size}, {args.epochs} epoch{'s' if args.epochs > 1 else ''}, "
          f"seed {args.seed}", flush=True)
    net, loop = train_cbow(words, args.window, args.hidden, args.epochs,
                                       args.batch_size, args.lr, args.negatives, args.seed)
    losses = loop.epoch_losses()
    print(f"CBOW: {loop.iteration:,} steps in {loop.seconds:.1f} s, loss by epoch: "
          + ", ".join(f"{loss:.3f}" for loss in losses)
          + f" (at the start: {math.log(2) * (1 + args.negatives):.3f})", flush=True)

    # both methods answer among the same words: the ones the count-based method kept
    kept_to_id = {word: i for i, word in words.id_to_word.items() if i < vocab}
    kept = {i: words.id_to_word[i] for i in range(vocab)}
    methods = {COUNT: count.vectors, LEARNED: net.word_vecs[:vocab]}
    found_neighbours = neighbours(args.query or QUERIES, kept_to_id, kept, methods)
    found_analogies = {rule: analogies(ANALOGIES, kept_to_id, kept, methods, rule=rule)
                       for rule in RULES}
    print("\n" + report_text(found_neighbours, found_analogies) + "\n")
    missing = [query for query in args.query or () if query not in kept_to_id]
    if missing:
        print(f"not among the {vocab:,} words compared: {', '.join(missing)}")

    groups = {word: group for group, members in WORD_GROUPS.items() for word in members
              if word in kept_to_id}
    drawn = list(groups)
    out = Path(args.out)
    report: dict[str, Any] = {
        "program": PROGRAM, "tokens": n_tokens, "vocab_size": n_words,
        "settings": {key: getattr(args, key) for key in (
            "window", "vocab", "hidden", "epochs", "batch_size", "lr", "negatives", "seed",
            "max_tokens")},
        "count": {"words": vocab, "dim": int(count.vectors.shape[1]),
                  "ppmi_nonzero": count.nonzero_ppmi,
                  "seconds": {key: round(value, 2) for key, value in count.seconds.items()}},
        "cbow": {"steps": loop.iteration, "steps_per_epoch": len(loop.batches),
                 "epoch_loss": losses, "seconds": round(loop.seconds, 2),
                 "interrupted": loop.interrupted, "diverged": loop.diverged},
        "neighbours": found_neighbours, "analogies": found_analogies,
        "analogies_right": {rule: right_counts(found)
                            for rule, found in found_analogies.items()},
        "figures": {},
    }
    if len(drawn) >= 3:
        ids = [kept_to_id[word] for word in drawn]
        report["figures"]["word_map"] = str(plot_word_map(
            {f"{name}: {len(drawn)} words in 2-D": vectors[ids]
             for name, vectors in methods.items()}, drawn, groups, out / "word_map.png",
            show=args.show))
    if args.save:
        report["saved"] = save_vectors(args.save, {"count": count.vectors,
                                                   "cbow": net.word_vecs}, words.id_to_word)
        print(f"word vectors saved in {args.save}/: count.npz, cbow.npz")
    report["seconds"] = round(time.perf_counter() - started, 2)
    report["peak_rss_mb"] = round(peak_memory_mb(), 1)
    if report["figures"]:
        print(f"figures in {out}/: " + ", ".join(Path(p).name
                                                  for p in report["figures"].values()))
    print(f"done in {report['seconds']:.1f} s, peak memory {report['peak_rss_mb']:.0f} MB")
    if args.json:
        write_json(args.json, report)
    show_figures(args.show)
    return INTERRUPTED if loop.interrupted else 1 if loop.diverged else 0
