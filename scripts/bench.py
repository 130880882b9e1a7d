"""Benchmark the cross-link checker against MkDocs' own build on a synthetic site.

usage: python3 scripts/bench.py [--pages 1000] [--links 10] [--no-mkdocs]
       python3 scripts/bench.py --page-size 2000

With `--page-size N`, times instead the check of ONE page of N paragraphs (two links each) and of
a page four times larger, and prints both sizes, both times and the ratio of the times (about 4
when the check's cost grows in proportion to a page's size).

Generates a tree of PAGES pages in a temporary folder (headings, footnotes, an annotation list,
about LINKS relative links each, half of them with a #fragment, all valid), then prints:
the checker's time at a quarter, half and all of the tree (to show how its cost grows), the time
of a plain `mkdocs build` of the whole tree with this project's theme and extensions, and the
ratio. Target: the checker costs under 10% of the build (under 1 s per 1,000 pages where that
can be had without giving up exactness). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent


def make_tree(folder: Path, pages: int, links: int, seed: int = 1) -> Path:
    """Write a synthetic site of `pages` pages into `folder`; return its mkdocs.yml."""
    rng = random.Random(seed)
    docs = folder / "docs"
    names = [f"section-{i // 50:02d}/page-{i:04d}.md" for i in range(pages)]
    for index, name in enumerate(names):
        lines = [f"# Page {index}", "", f"## Overview {index} {{ #overview }}", ""]
        for number in range(links):
            target = names[rng.randrange(pages)]
            rel = os.path.relpath(target, os.path.dirname(name))
            anchor = "#overview" if number % 2 else ""
            lines.append(f"Sentence {number} cites [page {target}]({rel}{anchor}) in passing.")
        lines += ["", "A claim (1) with a source.[^1]", "{ .annotate }", "", "1.  Context.", ""]
        lines += ["## Details", "", "Text with `inline [code](x.md)` kept as code.", ""]
        lines += ["[^1]: A source.", ""]
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")
    nav = "\n".join(f"  - {name}" for name in names)
    config = folder / "mkdocs.yml"
    config.write_text(
        "site_name: Bench\ntheme:\n  name: material\n  font: false\nplugins: []\n"
        "markdown_extensions:\n  - abbr\n  - admonition\n  - attr_list\n  - def_list\n"
        "  - footnotes\n  - md_in_html\n  - tables\n  - toc:\n      permalink: true\n"
        "  - pymdownx.details\n  - pymdownx.superfences\n"
        f"nav:\n{nav}\n",
        encoding="utf-8",
    )
    return config


def make_page(folder: Path, paragraphs: int) -> Path:
    """Write a site of one long page (two links a paragraph, all valid); return its mkdocs.yml."""
    docs = folder / "docs"
    docs.mkdir(parents=True)
    lines = ["# Long page", "", "## Part { #part }", ""]
    for number in range(paragraphs):
        lines += [
            f"Paragraph {number} links [back](#part) and [on](other.md#end) in one line.",
            "",
        ]
    (docs / "index.md").write_text("\n".join(lines), encoding="utf-8")
    (docs / "other.md").write_text("# Other\n\n## End { #end }\n", encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(
        "site_name: Bench\nmarkdown_extensions:\n  - attr_list\n  - toc:\n"
        "      permalink: true\nnav:\n  - index.md\n  - other.md\n",
        encoding="utf-8",
    )
    return config


def page_growth(work: Path, paragraphs: int, repeat: int = 3) -> None:
    """Print the check's time for one page of `paragraphs` paragraphs and for one 4x larger
    (the best of `repeat` runs each, since other work on the machine only ever adds time)."""
    results = []
    for count in (paragraphs, 4 * paragraphs):
        config = make_page(work / f"page-{count}", count)
        size = (config.parent / "docs" / "index.md").stat().st_size
        runs = [time_checker(config) for _ in range(repeat)]
        seconds, problems = min(runs)
        results.append((size, seconds))
        print(
            f"page     {count:7d} paragraphs, {size / 1e6:6.2f} MB: {seconds:7.2f} s"
            f"  (best of {repeat}; {problems} problems)"
        )
    (small, small_s), (large, large_s) = results
    print(
        f"growth   {large / small:.1f}x the size took {large_s / small_s:.1f}x the time"
        " (about 4 is linear; 16 would be quadratic)"
    )


def time_checker(config: Path) -> tuple[float, int]:
    """Seconds for one full check of the tree, and the number of problems found."""
    from commentary.site import Site

    started = time.perf_counter()
    report = Site.load(config).report
    return time.perf_counter() - started, len(report.problems)


def time_mkdocs(config: Path) -> float:
    """Seconds for a plain `mkdocs build` of the tree (a fresh process, as a user runs it)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)],
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="bench.py", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--links", type=int, default=10)
    parser.add_argument("--no-mkdocs", action="store_true", help="time the checker only")
    parser.add_argument(
        "--page-size", type=int, default=0, help="time one page of N paragraphs and one of 4N"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        if args.page_size:
            page_growth(work, args.page_size)
            return 0
        print(f"Synthetic tree: {args.pages} pages, {args.links} links each, in {work}")
        results = []
        for share in (4, 2, 1):
            pages = max(1, args.pages // share)
            config = make_tree(work / f"tree-{pages}", pages, args.links)
            seconds, problems = time_checker(config)
            results.append((pages, seconds))
            print(
                f"checker  {pages:6d} pages: {seconds:7.2f} s"
                f"  ({seconds / pages * 1000:.2f} ms/page, {problems} problems)"
            )
        (small, small_s), (large, large_s) = results[0], results[-1]
        growth = (large_s / small_s) / (large / small)
        print(
            f"growth   {large / small:.0f}x the pages took {large_s / small_s:.1f}x the time"
            f" (1.0 is linear; measured {growth:.2f})"
        )
        if not args.no_mkdocs:
            build_s = time_mkdocs(work / f"tree-{args.pages}" / "mkdocs.yml")
            ratio = large_s / build_s
            print(f"mkdocs   {args.pages:6d} pages: {build_s:7.2f} s")
            verdict = "met" if ratio < 0.10 else "MISSED"
            print(f"ratio    checker / mkdocs build = {ratio:.1%} (target < 10%: {verdict})")
        per_thousand = large_s / args.pages * 1000
        print(f"per 1,000 pages: {per_thousand:.2f} s (target < 1 s where exactness allows)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    import _venv

    _venv.ensure()
    sys.exit(main())
