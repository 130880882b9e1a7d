"""Run every test: `python3 scripts/test.py [pytest options]`.

Creates `.venv/` with the locked tools on first use (see scripts/_venv.py), then runs ruff over
the Python code and pytest over `tests/`. Browser tests need Chromium at /usr/bin/chromium or
$CHROME_PATH; without one they are skipped with a reason, except in CI (CI=true), where a skip of
that kind fails the run.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _venv

ROOT = Path(__file__).resolve().parent.parent


def main(argv: Sequence[str] | None = None) -> int:
    """Lint, then run pytest with the given extra arguments; return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "scripts", "tests"], cwd=ROOT)
    if lint.returncode:
        return lint.returncode
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=ROOT).returncode


if __name__ == "__main__":
    _venv.ensure("test")
    sys.exit(main())
