"""The two methods' answers side by side: nearest neighbours and analogies, as text for the
screen and as data for the JSON report. The analogies are answered by both rankings:
``analogy``, the book's (b - a + c at length 1, dot products with the vectors as they
are), and ``analogy_cosine`` (every vector at length 1)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from common.wordvec import analogy, analogy_cosine, most_similar

#: (word, similarity) pairs, best first.
Ranked = list[tuple[str, float]]
#: The two rankings of an analogy, by name, and how the report describes them.
RULES: dict[str, Callable[..., Ranked]] = {"analogy": analogy,
                                           "analogy_cosine": analogy_cosine}
RULE_TEXT = {"analogy": "analogy, the book's (dot products with b - a + c at length 1)",
             "analogy_cosine": "analogy_cosine (cosine similarity to b - a + c)"}


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
              top: int = 3, rule: str = "analogy_cosine") -> list[dict[str, Any]]:
    """For each a : b = c : expected whose four words are in the vocabulary: the ``top``
    answers of every method by ``rule`` (a key of ``RULES``) and whether its first one is
    the expected word."""
    found = []
    for a, b, c, expected in questions:
        if not all(word in word_to_id for word in (a, b, c, expected)):
            continue
        answers = {name: RULES[rule](a, b, c, word_to_id, id_to_word, vectors, top,
                                     verbose=False)
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


def right_counts(found_analogies: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """{method: how many analogies its first answer got right}."""
    if not found_analogies:
        return {}
    return {name: sum(item["right"][name] for item in found_analogies)
            for name in found_analogies[0]["right"]}


def report_text(found_neighbours: Mapping[str, Mapping[str, Ranked]],
                found_analogies: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """Everything the program prints about the two sets of vectors; ``found_analogies``
    by rule (keys of ``RULES``)."""
    parts = ["Nearest neighbours (cosine similarity):"]
    for query, columns in found_neighbours.items():
        parts.append(side_by_side(f"[query] {query}", columns))
    for rule, found in found_analogies.items():
        parts.append(analogies_text(rule, found))
    return "\n".join(parts)


def analogies_text(rule: str, found_analogies: Sequence[Mapping[str, Any]]) -> str:
    """The analogies answered by one rule, and how many each method got right."""
    parts = [f"\nAnalogies a : b = c : ? by {RULE_TEXT[rule]} (* = expected):"]
    for item in found_analogies:
        a, b, c = item["question"]
        columns = {name: [(("*" if word == item["expected"] else "") + word, value)
                          for word, value in ranked]
                   for name, ranked in item["answers"].items()}
        parts.append(side_by_side(f"[analogy] {a} : {b} = {c} : ?  (expected {item['expected']})",
                                  columns))
    if found_analogies:
        score = ", ".join(f"{name} {right}/{len(found_analogies)}"
                          for name, right in right_counts(found_analogies).items())
        parts.append(f"Analogies answered right by {rule} (first answer): {score}")
    return "\n".join(parts)
