"""The two methods' answers side by side: nearest neighbours and analogies, as text for the
screen and as data for the JSON report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from common.wordvec import analogy, most_similar

#: (word, similarity) pairs, best first.
Ranked = list[tuple[str, float]]


def neighbours(queries: Sequence[str], word_to_id: Mapping[str, int],
               id_to_word: Mapping[int, str], methods: Mapping[str, np.ndarray],
               top: int = 5) -> dict[str, dict[str, Ranked]]:
    """{query: {method: its ``top`` nearest words}} for the queries in the vocabulary."""
    return {query: {name: most_similar(query, word_to_id, id_to_word, vectors, top,
                                       verbose=False)
                    for name, vectors in methods.items()}
            for query in queries if query in word_to_id}


def analogies(questions: Sequence[tuple[str, str, str, str]], word_to_id: Mapping[str, int],
              id_to_word: Mapping[int, str], methods: Mapping[str, np.ndarray],
              top: int = 3) -> list[dict[str, Any]]:
    """For each a : b = c : expected whose four words are in the vocabulary: the ``top``
    answers of every method and whether its first one is the expected word."""
    found = []
    for a, b, c, expected in questions:
        if not all(word in word_to_id for word in (a, b, c, expected)):
            continue
        answers = {name: analogy(a, b, c, word_to_id, id_to_word, vectors, top, verbose=False)
                   for name, vectors in methods.items()}
        found.append({"question": [a, b, c], "expected": expected, "answers": answers,
                      "right": {name: ranked[0][0] == expected
                                for name, ranked in answers.items()}})
    return found


def _cell(ranked: Ranked, width: int) -> list[str]:
    return [f"{word} {value:.2f}"[:width].ljust(width) for word, value in ranked]


def side_by_side(title: str, columns: Mapping[str, Ranked], width: int = 22) -> str:
    """A small table: the title, then one column per method with its ranked words."""
    lines = [title, ("  " + "".join(name[:width].ljust(width + 2) for name in columns)).rstrip()]
    cells = [_cell(ranked, width) for ranked in columns.values()]
    for row in zip(*cells, strict=False):
        lines.append("  " + "".join(cell + "  " for cell in row).rstrip())
    return "\n".join(lines)


def report_text(found_neighbours: Mapping[str, Mapping[str, Ranked]],
                found_analogies: Sequence[Mapping[str, Any]]) -> str:
    """Everything the program prints about the two sets of vectors."""
    parts = ["Nearest neighbours (cosine similarity):"]
    for query, columns in found_neighbours.items():
        parts.append(side_by_side(f"[query] {query}", columns))
    parts.append("\nAnalogies a : b = c : ? (the word nearest to b - a + c; * = expected):")
    for item in found_analogies:
        a, b, c = item["question"]
        columns = {name: [(("*" if word == item["expected"] else "") + word, value)
                          for word, value in ranked]
                   for name, ranked in item["answers"].items()}
        parts.append(side_by_side(f"[analogy] {a} : {b} = {c} : ?  (expected {item['expected']})",
                                  columns))
    if found_analogies:
        methods = found_analogies[0]["right"]
        score = ", ".join(f"{name} {sum(item['right'][name] for item in found_analogies)}"
                          f"/{len(found_analogies)}" for name in methods)
        parts.append(f"\nAnalogies answered right (first answer): {score}")
    return "\n".join(parts)
