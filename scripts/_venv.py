"""Run the calling script inside the project's own virtual environment, creating it on first use.

The quick start needs nothing but Python 3.11+: the first run makes `.venv/`, installs the pinned
dependencies from `pyproject.toml` (and its `test` extra), and re-runs the script there. Later runs
reinstall only when `pyproject.toml` changed. Set `COMMENTARY_NO_VENV=1` to use the current
interpreter as it is (for example in a CI job that installed the packages itself).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-requirements"


def _python() -> Path:
    """The virtual environment's interpreter."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def requirements() -> list[str]:
    """The runtime and test requirements declared in pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["test"]]


def _digest(reqs: list[str]) -> str:
    return hashlib.sha256("\n".join(reqs).encode()).hexdigest()


def ensure() -> None:
    """Re-execute the running script under `.venv`, installing requirements when they changed."""
    if os.environ.get("COMMENTARY_NO_VENV") == "1":
        return
    reqs = requirements()
    digest = _digest(reqs)
    inside = Path(sys.prefix).resolve() == VENV.resolve()
    if inside and STAMP.exists() and STAMP.read_text() == digest:
        return
    if not _python().exists():
        print(f"Creating {VENV.relative_to(ROOT)}/ (first run only) ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("Installing the pinned tools from pyproject.toml ...", file=sys.stderr)
        subprocess.run(
            [str(_python()), "-m", "pip", "install", "--quiet", "--quiet", *reqs],
            check=True,
        )
        STAMP.write_text(digest)
    if not inside:
        os.execv(str(_python()), [str(_python()), *sys.argv])
