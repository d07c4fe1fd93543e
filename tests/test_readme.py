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
    from common.nets.summary import summary

    text = GUIDE.read_text(encoding="utf-8")
    shown = re.search(r">>> summary\(SimpleConvNet\(\)\).*?\n(.*?)```", text, re.S).group(1)
    assert summary(SimpleConvNet()) == shown.rstrip("\n")


README = GUIDE.parents[2] / "README.md"
HOME = GUIDE.parents[1] / "index.md"


def section(text: str, heading: str) -> str:
    """The text of a Markdown section, from its heading to the next heading of any level."""
    start = text.index(f"\n{heading}\n")
    end = re.search(r"\n#+ ", text[start + 1:])
    return text[start:start + 1 + end.start()] if end else text[start:]


def test_the_quickstart_says_how_to_run_a_chapter_with_the_venvs_python():
    for page in (README, HOME):
        quickstart = section(page.read_text(encoding="utf-8"), "## Quickstart")
        commands = re.search(r"```sh\n(.*?)```", quickstart, re.S).group(1).splitlines()
        assert [c.split("#")[0].strip() for c in commands] == ["make demo", "make test"]
        prose = re.sub(r"\s+", " ", quickstart)  # a line break inside the prose is a space
        assert re.search(r"`\.venv/bin/python -m ch_\w+`", prose), page.name
        assert "`source .venv/bin/activate`" in prose, page.name


def test_every_table_of_python_commands_says_they_run_in_the_venv():
    """A table's bare `python -m ch_...` runs the system's Python, which has no matplotlib,
    unless the text above the table says to activate the venv first."""
    for page in (README, HOME):
        text = page.read_text(encoding="utf-8")
        for table in re.finditer(r"(?:^\|.*\n)+", text, re.M):
            if "`python -m " not in table.group(0):
                continue
            heading = text.rindex("\n#", 0, table.start())
            above = text[heading:table.start()]
            assert "source .venv/bin/activate" in above, f"{page.name}: {above[:60]!r}"


def test_a_tables_promised_paths_are_drawn_by_a_command_of_its_row():
    """The optimizer paths on x²/20 + y² come from optimizer_compare.naive, not from the MNIST
    comparison: a row that promises them names the program whose docstring draws them."""
    import importlib

    rows = [row for page in (README, HOME) for row in page.read_text(encoding="utf-8").splitlines()
            if row.startswith("|") and "x²/20 + y²" in row]
    assert rows
    for row in rows:
        command = row.split("|")[3]
        modules = re.findall(r"`python -m ([\w.]+)", command)
        drawn = [m for m in modules if "x²/20 + y²" in (importlib.import_module(m).__doc__ or "")]
        assert drawn, f"no command of {command.strip()} draws the paths on x²/20 + y²"
