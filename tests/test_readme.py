"""The library guide's examples run and show what the library prints (they were the
README's; the README is now a front page that links to docs/guide/networks.md)."""

import re
from pathlib import Path

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide" / "networks.md"


def python_block_after(heading: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_build_your_own_network_example_runs(capsys):
    exec(compile(python_block_after("## Build your own network"), str(GUIDE), "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "['W1', 'b1', 'W2', 'b2']"
    accuracy = float(lines[1].rsplit(" ", 1)[1])
    assert accuracy >= 0.9


def test_the_summary_shown_is_what_summary_prints(capsys):
    from common.nets.conv import SimpleConvNet

    text = GUIDE.read_text(encoding="utf-8")
    shown = re.search(r">>> SimpleConvNet\(\)\.summary\(\).*?\n(.*?)```", text, re.S).group(1)
    assert SimpleConvNet().summary() == shown.rstrip("\n")
