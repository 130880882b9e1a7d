"""Build the site: check every cross-link, render with MkDocs in strict mode, write the PDF.

usage: python3 scripts/build.py [--serve] [--no-pdf] [--paper {a4,letter}]
                                [-f mkdocs.yml] [-d site]

The site is built into a temporary folder beside `site/` and replaces it only when every step
succeeded, so a failed build leaves the last good `site/` exactly as it was. `--serve` checks,
then serves with live reload on http://127.0.0.1:8000/ (the check runs again on every rebuild,
through the MkDocs hook). The first run creates `.venv/` with the pinned tools.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent
# Material 9.8 prints its end-of-life notice on every build; keep it out of the checker's output.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the build; return the exit status (0 built, 1 failed, 2 bad usage or configuration)."""
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n")[0])
    parser.add_argument("-f", "--config-file", default=str(ROOT / "mkdocs.yml"))
    parser.add_argument("-d", "--site-dir", default=None, help="default: site/ beside mkdocs.yml")
    parser.add_argument("--serve", action="store_true", help="serve with live reload")
    parser.add_argument("--dev-addr", default="127.0.0.1:8000", help="with --serve")
    parser.add_argument("--no-pdf", action="store_true", help="skip the seminar PDF")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4", help="PDF page size")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2

    from commentary import linkcheck

    config_file = Path(args.config_file).resolve()
    timings: list[tuple[str, float]] = []

    started = time.perf_counter()
    try:
        config = linkcheck.load_config(config_file)
        report = linkcheck.check_config(config)
    except linkcheck.ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    timings.append(("check", time.perf_counter() - started))
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.problems:
        count = len(report.problems)
        print(
            f"build.py: {count} cross-link problem{'s' * (count != 1)}; site/ left unchanged",
            file=sys.stderr,
        )
        return 1

    if args.serve:
        from urllib.parse import urlsplit

        from mkdocs.commands.serve import serve

        path = urlsplit(config.site_url or "/").path or "/"
        print(f"Serving on http://{args.dev_addr}{path} (Ctrl+C stops)", file=sys.stderr)
        serve(str(config_file), dev_addr=args.dev_addr, livereload=True)
        return 0

    site_dir = Path(args.site_dir).resolve() if args.site_dir else config_file.parent / "site"
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=site_dir.parent))
    try:
        started = time.perf_counter()
        if not _mkdocs_build(config_file, staging):
            return 1
        timings.append(("mkdocs", time.perf_counter() - started))
        pages = sum(1 for _ in staging.rglob("index.html"))
        pdf_note = ""
        if not args.no_pdf:
            started = time.perf_counter()
            try:
                from commentary import pdf
            except ImportError as error:  # WeasyPrint needs Pango from the system
                print(
                    f"build.py: cannot make the PDF ({error}); use --no-pdf to skip it",
                    file=sys.stderr,
                )
                return 1
            target = pdf.make_pdf(linkcheck.load_config(config_file), staging, paper=args.paper)
            timings.append(("pdf", time.perf_counter() - started))
            pdf_note = f", {target.name} {target.stat().st_size / 1e6:.1f} MB"
        _replace(site_dir, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    total = sum(seconds for _, seconds in timings)
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings)
    shown = os.path.relpath(site_dir)
    shown = str(site_dir) if shown.startswith("..") else shown
    print(f"Built {shown}/ ({pages} pages{pdf_note}) in {total:.1f} s: {steps}")
    return 0


def _mkdocs_build(config_file: Path, site_dir: Path) -> bool:
    """Render the site with MkDocs in strict mode into `site_dir`; False on any error."""
    from mkdocs import exceptions
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except exceptions.MkDocsException as error:
        print(f"build.py: mkdocs build failed: {error}; site/ left unchanged", file=sys.stderr)
        return False
    return True


def _replace(site_dir: Path, staging: Path) -> None:
    """Put the freshly built `staging` in place of `site_dir` with two renames."""
    old = None
    if site_dir.exists():
        old = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
        site_dir.rename(old)
    staging.rename(site_dir)
    staging.mkdir()  # recreated so the caller's cleanup has something to remove
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    import _venv

    _venv.ensure()
    sys.exit(main())
