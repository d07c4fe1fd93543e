"""The README's example of building a network from layers runs and learns."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_block_after(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_build_your_own_network_example_runs(capsys):
    exec(compile(python_block_after("### Build your own network"), "README", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "['W1', 'b1', 'W2', 'b2']"
    accuracy = float(lines[1].rsplit(" ", 1)[1])
    assert accuracy >= 0.9
