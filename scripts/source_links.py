"""The sources' addresses for lychee, and lychee's dead addresses by record key.

usage: python3 scripts/source_links.py list OUT
       python3 scripts/source_links.py summary REPORT.json

`list` writes every address of docs/bibliography.yaml, one a line, for lychee to check.
`summary` prints, as Markdown for the run's job summary, the addresses that lychee's JSON report
lists as failed, each with its record's key and archived copy. Both exit 0 (the watch reports; it
does not fail); 2 for a usage error or an unreadable file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of the two commands; return the exit status."""
    parser = argparse.ArgumentParser(prog="source_links.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="write every source address, one a line")
    listing.add_argument("out", type=Path)
    summary = commands.add_parser("summary", help="print lychee's dead addresses by key")
    summary.add_argument("report", type=Path)
    default = ROOT / "docs" / "bibliography.yaml"
    parser.add_argument("--bibliography", type=Path, default=default, help=argparse.SUPPRESS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2

    from commentary.bibliography import (
        BibliographyError,
        dead_links_summary,
        load,
        source_addresses,
    )

    try:
        bib = load(args.bibliography)
        if args.command == "list":
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(source_addresses(bib), encoding="utf-8")
        else:
            report = json.loads(args.report.read_text(encoding="utf-8"))
            print(dead_links_summary(bib, report), end="")
    except (BibliographyError, OSError, json.JSONDecodeError) as error:
        print(f"source_links.py: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
