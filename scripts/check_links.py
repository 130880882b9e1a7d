"""Check every cross-link of the site before anything is rendered.

usage: python3 scripts/check_links.py [-f mkdocs.yml] [--format {text,github}]

Prints one line per problem, `path:line:col: error: message`, sorted, then one summary line
(with `--format github`, the annotations alone go to the standard output, the summary to the
standard error). The default configuration is the repository's mkdocs.yml, as for build.py.
Exit status: 0 when clean, 1 when there are problems, 2 for a usage or configuration error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checker; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="check_links.py", description="Check the site's cross-links before it is built."
    )
    parser.add_argument(
        "-f", "--config-file", default=str(ROOT / "mkdocs.yml"), help="default: mkdocs.yml"
    )
    parser.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="github: GitHub Actions annotations on the changed lines",
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2

    from commentary.linkcheck import ConfigError, check

    started = time.perf_counter()
    try:
        report = check(args.config_file)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    for problem in report.problems:
        print(problem.github() if args.format == "github" else problem)
    elapsed = time.perf_counter() - started
    count = len(report.problems)
    noun = "problem" if count == 1 else "problems"
    print(
        f"{count} {noun} in {report.pages} pages, {report.links} links checked ({elapsed:.2f} s)",
        file=sys.stderr if args.format == "github" else sys.stdout,
    )
    return 1 if count else 0


if __name__ == "__main__":
    import _venv

    _venv.ensure()
    sys.exit(main())
