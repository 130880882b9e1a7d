"""Build the site: check every cross-link, render with MkDocs in strict mode, write the PDFs.

usage: python3 scripts/build.py [--serve] [--no-pdf] [--paper {a4,letter}]
                                [-f mkdocs.yml] [-d site]

The site is built into a temporary folder beside `site/` and replaces it only when every step
succeeded, so a failed or interrupted build leaves the last good `site/` exactly as it was, and
no temporary folder behind. `--serve` checks, then serves with live reload on
http://127.0.0.1:8000/ (the check runs again on every rebuild, through the MkDocs hook). Without
the PDFs (`--no-pdf`, `--serve`) the site keeps the last good `commentary.pdf` and `handout.pdf`;
where there is none, it has no PDF and its pages no link to one. The first run creates `.venv/`
with the locked tools.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None) -> int:
    """Run the build; return the exit status (0 built, 1 failed, 2 bad usage or configuration)."""
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n")[0])
    parser.add_argument("-f", "--config-file", default=str(ROOT / "mkdocs.yml"))
    parser.add_argument("-d", "--site-dir", default=None, help="default: site/ beside mkdocs.yml")
    parser.add_argument("--serve", action="store_true", help="serve with live reload")
    parser.add_argument("--dev-addr", default="127.0.0.1:8000", help="with --serve")
    parser.add_argument("--no-pdf", action="store_true", help="skip the two PDFs")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4", help="PDF page size")
    parser.add_argument(
        "--engine", choices=("mkdocs", "zensical"), default="mkdocs", help="the site generator"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2

    try:
        with _terminate_as_interrupt():
            return _build(args)
    except KeyboardInterrupt:
        print("build.py: interrupted; site/ left unchanged", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace) -> int:
    """Check, render, write the PDF and put the new site in place; return the exit status."""
    from commentary.config import ConfigError, display
    from commentary.site import Site

    config_file = Path(args.config_file).resolve()
    site_dir = Path(args.site_dir).resolve() if args.site_dir else config_file.parent / "site"
    timings: list[tuple[str, float]] = []

    started = time.perf_counter()
    try:
        site = Site.load(config_file)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    site.published = site_dir
    site.writes_pdf = not (args.no_pdf or args.serve)
    problems = site.problems
    timings.append(("check", time.perf_counter() - started))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        count = len(problems)
        print(
            f"build.py: {count} problem{'s' * (count != 1)}; site/ left unchanged",
            file=sys.stderr,
        )
        return 1

    if args.serve:
        from urllib.parse import urlsplit

        from mkdocs.commands.serve import serve

        path = urlsplit(site.config.site_url or "/").path or "/"
        print(f"Serving on http://{args.dev_addr}{path} (Ctrl+C stops)", file=sys.stderr)
        serve(str(config_file), dev_addr=args.dev_addr, livereload=True)
        return 0

    from commentary import engines

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=site_dir.parent))
    # mkdtemp makes a private (0700) folder; the site gets the mode `mkdocs build` gives a folder.
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    site.config.site_dir = str(staging)  # where the engine writes; `site.published` is the old one
    try:
        started = time.perf_counter()
        try:
            if args.engine == "zensical":
                with tempfile.TemporaryDirectory(prefix=".zensical-", dir=site_dir.parent) as work:
                    engines.build_zensical(site, staging, Path(work))
                site.write_downloads(staging)
            else:
                engines.build_mkdocs(site.config, staging)
        except engines.EngineError as error:
            print(f"build.py: {error}; site/ left unchanged", file=sys.stderr)
            return 1
        timings.append((args.engine, time.perf_counter() - started))
        pages = sum(1 for _ in staging.rglob("index.html"))
        pdf_note = ""
        if args.no_pdf:
            _keep_last_pdfs(site, staging)
        else:
            try:
                from commentary import pdf

                written = pdf.make_pdfs(site, staging, paper=args.paper)
            except pdf.PdfError as error:  # PdfUnavailable (no Pango) included: one clear line
                print(
                    f"build.py: cannot make the PDF: {error}; site/ left unchanged", file=sys.stderr
                )
                return 1
            timings.extend((item.path.name, item.seconds) for item in written)
            pdf_note = "".join(
                f", {item.path.name} {item.pages} pp. {item.path.stat().st_size / 1e6:.1f} MB"
                for item in written
            )
        _replace(site_dir, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    total = sum(seconds for _, seconds in timings)
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings)
    print(f"Built {display(site_dir)}/ ({pages} pages{pdf_note}) in {total:.1f} s: {steps}")
    return 0


def _keep_last_pdfs(site, staging: Path) -> None:
    """In a build without the PDFs: the last good ones where there are some, else no file at all
    (never the empty stand-in that an engine may have copied; the pages' links are gone too)."""
    from commentary.site import PDFS

    for name in PDFS:
        target = staging / name
        kept = site.kept_pdf(name)
        if kept is not None:
            shutil.copyfile(kept, target)
        elif target.is_file() and not target.stat().st_size:
            target.unlink()


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl+C while building, so the temporary folders are cleaned up."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave the signal alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _replace(site_dir: Path, staging: Path) -> None:
    """Put the freshly built `staging` in place of `site_dir` with two renames."""
    old = None
    if site_dir.exists():
        old = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
        site_dir.rename(old)
    staging.rename(site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


if __name__ == "__main__":
    import _venv

    _venv.ensure()
    # Material 9.8 prints its end-of-life notice on every build; keep it out of the build's output.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    sys.exit(main())
