"""The README's examples run and show what the library prints."""

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


def test_the_summary_shown_is_what_summary_prints(capsys):
    from common.nets.conv import SimpleConvNet

    text = README.read_text(encoding="utf-8")
    shown = re.search(r">>> SimpleConvNet\(\)\.summary\(\).*?\n(.*?)```", text, re.S).group(1)
    assert SimpleConvNet().summary() == shown.rstrip("\n")
