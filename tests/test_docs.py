"""The documentation: every chapter has its page, every page is in the nav, every figure and
link leads somewhere, every module is in the API reference, and the site builds strictly."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
MKDOCS_YML = ROOT / "mkdocs.yml"

# a link or an image: [text](target) or ![alt](target)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def without_code(text: str) -> str:
    """The Markdown text without its fenced code blocks and inline code."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def local_links(page: Path) -> list[str]:
    """The relative link and image targets of a Markdown page, anchors stripped."""
    targets = LINK.findall(without_code(page.read_text(encoding="utf-8")))
    return [t.split("#")[0] for t in targets
            if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


def doc_pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "hooks" not in p.relative_to(DOCS).parts)


def nav_pages() -> list[str]:
    """The pages named in mkdocs.yml's nav (paths relative to docs/)."""
    text = MKDOCS_YML.read_text(encoding="utf-8")
    nav = text[text.index("\nnav:"):]
    return re.findall(r"^\s*- (?:[^\n]*: )?([\w./-]+\.md)\s*$", nav, flags=re.M)


def chapters() -> list[str]:
    """The chapter programs: the packages named ch_* and optimizer_compare."""
    return sorted(p.parent.name for p in ROOT.glob("*/__init__.py")
                  if p.parent.name.startswith("ch_") or p.parent.name == "optimizer_compare")


def test_every_chapter_has_a_page_in_the_nav():
    nav = nav_pages()
    for chapter in chapters():
        assert (DOCS / f"{chapter}.md").is_file(), f"chapter {chapter} has no docs/{chapter}.md"
        assert f"{chapter}.md" in nav, f"docs/{chapter}.md is not in mkdocs.yml's nav"


def test_every_page_is_in_the_nav_and_every_nav_entry_exists():
    nav = nav_pages()
    pages = [p.relative_to(DOCS).as_posix() for p in doc_pages()]
    assert sorted(set(pages) - set(nav)) == [], "pages missing from mkdocs.yml's nav"
    assert sorted(set(nav) - set(pages)) == [], "nav entries without a page"
    assert len(nav) == len(set(nav)), "a page is twice in the nav"


def test_every_link_and_figure_of_the_docs_and_readme_exists():
    for page in [README, *doc_pages()]:
        for target in local_links(page):
            if target:
                assert (page.parent / target).exists(), f"{page.relative_to(ROOT)}: {target}"


def test_every_chapter_figure_is_shown_on_a_page():
    shown = {(page.parent / t).resolve() for page in doc_pages() for t in local_links(page)}
    figures = [p for p in DOCS.rglob("*.png") if p.resolve() not in shown]
    assert figures == [], "figures under docs/ that no page shows"


def public_modules(package: str) -> list[str]:
    """Every public module under a package of the repository, by dotted name."""
    root = ROOT / package
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if any(part.startswith("_") for part in parts if part != "__init__"):
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_module_of_common_and_dataset_is_in_the_api_reference():
    documented = set()
    for page in (DOCS / "api").glob("*.md"):
        documented |= set(re.findall(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.M))
    # the book's module paths are short faces over the packages, documented there
    faces = {"common", "common.gradient", "common.optimizer", "common.multi_layer_net",
             "common.multi_layer_net_extend", "common.trainer", "common.time_layers",
             "common.base_model", "common.np", "common.config"}
    modules = [m for m in public_modules("common") + public_modules("dataset") if m not in faces]
    missing = [m for m in modules if m not in documented]
    assert missing == [], f"add '::: <module>' lines to docs/api/*.md for {missing}"


def test_the_readme_is_a_front_page_with_the_two_commands_and_every_notebook():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 160, "the README is a front page: move details to docs/"
    assert "make demo" in text and "make test" in text
    linked = set(local_links(README))
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"notebooks/{notebook.name}" in linked, f"README does not link {notebook.name}"


# Bookkeeping, not the reader's business: whether a number met the goal someone set for it,
# what an issue hoped for. Such notes belong in benchmarks/RESULTS.md, beside their commands;
# the pages say what was measured and against what ("targets (N, T)" are labels: allowed).
BOOKKEEPING = re.compile(
    r"\bhoped\b|\bmissed by\b|\bthe issue\b|\bissue #?\d|\bthis session\b"
    r"|\btargets?(?: of)?:? ?\(?[≤<>]? ?\d|\btarget \(≤|\bmet the target|\bMB target"
    r"|\btarget —", re.I)


def reader_texts() -> dict[str, str]:
    """The prose the reader sees: the README, the pages (benchmark_results.md is
    benchmarks/RESULTS.md, the record, included whole) and the notebooks' Markdown cells."""
    texts = {"README.md": README.read_text(encoding="utf-8")}
    for page in doc_pages():
        if page.name != "benchmark_results.md":
            texts[page.relative_to(ROOT).as_posix()] = page.read_text(encoding="utf-8")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        texts[notebook.relative_to(ROOT).as_posix()] = "\n".join(
            "".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return texts


def test_the_docs_speak_to_the_reader_not_of_targets_and_issues():
    found = []
    for name, text in reader_texts().items():
        prose = without_code(text).replace("\n", " ")
        found += [f"{name}: ...{prose[max(0, m.start() - 30):m.end() + 30]}..."
                  for m in BOOKKEEPING.finditer(prose)]
    assert found == [], "move these to benchmarks/RESULTS.md:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built strictly by MkDocs into a temporary folder (about 10 s)."""
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("MkDocs is not installed: pip install -e '.[docs]' (make docs does)")
    site = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "WARNING" not in run.stderr, run.stderr[-3000:]
    return site


@pytest.mark.slow
def test_the_site_builds_strictly(site):
    for page in nav_pages():  # ch_logic.md -> ch_logic.html, guide/index.md -> guide/index.html
        assert (site / page).with_suffix(".html").is_file(), f"{page} was not built"
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert (site / "notebooks" / f"{notebook.stem}.html").is_file(), notebook.name
    layers = (site / "api" / "layers.html").read_text(encoding="utf-8")
    assert 'id="common.layers.affine.Affine"' in layers  # the API reference has the classes


@pytest.mark.slow
def test_the_notebook_pages_load_mathjax(site):
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        pages = [site / "notebooks" / f"{notebook.stem}.html",
                 site / "notebooks" / notebook.stem / "index.html"]  # either URL layout
        page = next(p for p in pages if p.is_file())
        sources = re.findall(r'<script src="([^"]*)"', page.read_text(encoding="utf-8"))
        mathjax = [src for src in sources if "mathjax" in src.lower()]
        assert mathjax, f"{page.name}: no MathJax script, its formulas stay raw TeX"
        assert "" not in sources, f"{page.name}: a script with an empty src"


@pytest.mark.slow
def test_every_link_of_the_site_opens_from_disk(site):
    """site/index.html opened as a file: every relative link names a file, not a folder
    (a folder shows as a directory listing under file://, not as its index.html)."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":  # served by a web server only, with absolute links
            continue
        for target in re.findall(r'(?:href|src)="([^"]*)"', page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:|#|//", target):
                continue
            path = unquote(target.split("#")[0].split("?")[0])
            if path and not (page.parent / path).is_file():
                broken.append(f"{page.relative_to(site)}: {target}")
    assert broken == [], f"{len(broken)} links open no file, e.g. {broken[:5]}"
