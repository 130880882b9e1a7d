"""Run the calling script inside the project's own virtual environment, creating it on first use.

The quick start needs nothing but Python 3.11+: the first run makes `.venv/`, installs the
dependencies that `pyproject.toml` declares (and its `test` extra) at the exact versions of
`requirements.lock`, and re-runs the script there. Later runs reinstall only when either file
changed. Set `COMMENTARY_NO_VENV=1` to use the current interpreter as it is (for example in a CI
job that installed the packages itself, with `pip install -c requirements.lock ...`).

`python3 scripts/_venv.py --lock` refreshes the lock file: it installs the declared ranges into a
fresh, temporary environment and writes down every version that resolved.
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
LOCK = ROOT / "requirements.lock"


def _python() -> Path:
    """The virtual environment's interpreter."""
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def requirements() -> list[str]:
    """The runtime and test requirements declared in pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["test"]]


def _digest(reqs: list[str]) -> str:
    """A fingerprint of what is to be installed: the requirements and the lock file."""
    lock = LOCK.read_text(encoding="utf-8") if LOCK.is_file() else ""
    return hashlib.sha256("\n".join([*reqs, lock]).encode()).hexdigest()


def _install(python: Path, reqs: list[str], locked: bool) -> None:
    """pip-install `reqs` into the environment of `python`, held to the lock file if `locked`."""
    constraints = ["-c", str(LOCK)] if locked and LOCK.is_file() else []
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--quiet", *constraints, *reqs],
        check=True,
    )


def lock() -> None:
    """Resolve the declared requirements in a fresh environment and write requirements.lock."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        venv.create(folder, with_pip=True)
        python = Path(folder) / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        _install(python, requirements(), locked=False)
        frozen = subprocess.run(
            [str(python), "-m", "pip", "freeze", "--all", "--exclude", "pip"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    header = "# Exact versions for .venv and CI; refresh with `python3 scripts/_venv.py --lock`.\n"
    LOCK.write_text(header + frozen, encoding="utf-8")


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
        print("Installing the locked tools (requirements.lock) ...", file=sys.stderr)
        _install(_python(), reqs, locked=True)
        STAMP.write_text(digest)
    if not inside:
        os.execv(str(_python()), [str(_python()), *sys.argv])


if __name__ == "__main__":
    if sys.argv[1:] == ["--lock"]:
        lock()
    else:
        print("usage: python3 scripts/_venv.py --lock", file=sys.stderr)
        sys.exit(2)
