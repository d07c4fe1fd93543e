"""MkDocs hook: the notebooks of ``notebooks/`` become pages of the site.

The notebooks live beside the code, not under ``docs/``, so this hook hands each
``notebooks/*.ipynb`` to MkDocs as a page of its own (mkdocs-jupyter renders it, outputs
included, without running it) and fills the nav's ``Notebooks`` section with them in
file-name order. A notebook added later needs no change to ``mkdocs.yml``.

Pages link a notebook by its place in the repository (``../notebooks/01_logic_gates.ipynb``
from ``docs/ch_logic.md``), so that the link works on a code host too; the hook points
such links at the notebook's page on the site.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SECTION = "Notebooks"
DOCS = ROOT / "docs"

# a Markdown link target that climbs out of docs/ into notebooks/, with its anchor if any
NOTEBOOK_LINK = re.compile(r"\]\(((?:\.\./)+notebooks/[^)\s#]+\.ipynb)(#[^)\s]*)?\)")


def notebook_paths() -> list[Path]:
    """The notebooks to publish, sorted by file name (their numbers give the order)."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def on_config(config: Any) -> Any:
    """Fill the nav's empty ``Notebooks`` section, or drop it when there is no notebook."""
    pages = [f"notebooks/{path.name}" for path in notebook_paths()]
    nav = []
    for entry in config.nav or []:
        if isinstance(entry, dict) and list(entry) == [SECTION]:
            if pages:
                nav.append({SECTION: pages})
        else:
            nav.append(entry)
    config.nav = nav
    return config


@event_priority(100)  # before mkdocs-jupyter's on_files, which turns .ipynb files into pages
def on_files(files: Files, config: Any) -> Files:
    """Add every notebook to the site's files, under ``notebooks/``."""
    for path in notebook_paths():
        files.append(File(f"notebooks/{path.name}", src_dir=str(ROOT),
                          dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Turn links to ``notebooks/*.ipynb`` from the repository's layout into the site's."""
    page_dir = (DOCS / page.file.src_uri).parent

    def site_link(match: re.Match) -> str:
        target = (page_dir / match.group(1)).resolve()
        if target.parent != NOTEBOOKS:
            return match.group(0)
        page_folder = os.path.dirname(page.file.src_uri) or "."
        link = Path(os.path.relpath(f"notebooks/{target.name}", page_folder)).as_posix()
        return f"]({link}{match.group(2) or ''})"

    return NOTEBOOK_LINK.sub(site_link, markdown)


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    """``mkdocs serve`` rebuilds when a notebook changes too."""
    if NOTEBOOKS.is_dir():
        server.watch(str(NOTEBOOKS))
    return server
