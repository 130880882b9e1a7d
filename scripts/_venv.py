"""Run the calling script inside the project's own virtual environment, creating it on first use.

The quick start needs nothing but Python 3.11+. The first `python3 scripts/build.py` makes
`.venv/` and installs what building needs, from `requirements.lock`; the first
`python3 scripts/test.py` adds the test tools, from `requirements-test.lock` (the build's
packages at the same versions, and the `test` extra). Both are installed with pip's hash checking
(`--require-hashes`): a file whose hash differs from the lock's is refused. Later runs reinstall
only when a lock changed. Set `COMMENTARY_NO_VENV=1` to use the current interpreter as it is (a
CI job that installed a lock itself).

`python3 scripts/_venv.py --lock` refreshes the three locks with pip-tools' pip-compile, run in
a fresh temporary environment, from the exact pins in `pyproject.toml`: the test lock first, then
the build lock and the link job's lock (`requirements-links.lock`, for .github/workflows/links.yml)
held to its versions.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-locks"
# Each set of tools and its lock; the test lock holds the build lock's packages too.
LOCKS = {
    "build": ROOT / "requirements.lock",
    "test": ROOT / "requirements-test.lock",
    "links": ROOT / "requirements-links.lock",
}
# What the weekly link job runs (scripts/source_links.py) imports: its lock holds these alone.
LINK_JOB = ["PyYAML", "citeproc-py", "mkdocs", "pymdown-extensions"]
# The lock's maker, installed only into the temporary environment of `--lock`.
PIP_TOOLS = "pip-tools==7.7.0"
HEADER = "python3 scripts/_venv.py --lock"


def _python(folder: Path = VENV) -> Path:
    """The interpreter of the virtual environment in `folder`."""
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _digest(kind: str) -> str:
    """A fingerprint of one lock file."""
    return hashlib.sha256(LOCKS[kind].read_bytes()).hexdigest()


def _installed() -> dict[str, str]:
    """Which locks `.venv` holds, with the fingerprint each had when it was installed."""
    try:
        return json.loads(STAMP.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _install(python: Path, kind: str) -> None:
    """pip-install one lock, every file checked against its hash."""
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--quiet", "--require-hashes",
         "--no-deps", "-r", str(LOCKS[kind])],
        check=True,
    )


def ensure(kind: str = "build") -> None:
    """Re-execute the running script under `.venv`, installing the `kind` lock when it changed.

    `kind` is "build" (what building needs) or "test" (the build's tools and the test tools).
    """
    if os.environ.get("COMMENTARY_NO_VENV") == "1":
        return
    installed = _installed()
    current = installed.get(kind) == _digest(kind)
    inside = Path(sys.prefix).resolve() == VENV.resolve()
    if inside and current:
        return
    if not _python().exists():
        print(f"Creating {VENV.relative_to(ROOT)}/ (first run only) ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
        # Python 3.11's venv adds setuptools 65.5.0, which nothing here uses and which has known
        # advisories; newer Pythons leave it out.
        subprocess.run([str(_python()), "-m", "pip", "uninstall", "--yes", "--quiet",
                        "setuptools"], check=True)
        installed = {}
    if not current:
        print(f"Installing the locked tools ({LOCKS[kind].name}) ...", file=sys.stderr)
        _install(_python(), kind)
        installed[kind] = _digest(kind)
        if kind == "test":  # the test lock holds the build's packages at the build lock's pins
            installed["build"] = _digest("build")
        STAMP.write_text(json.dumps(installed, sort_keys=True), encoding="utf-8")
    if not inside:
        os.execv(str(_python()), [str(_python()), *sys.argv])


def lock() -> None:
    """Write the three lock files with pip-compile (hashes included) from pyproject.toml."""
    with tempfile.TemporaryDirectory() as folder:
        tools = Path(folder) / "venv"
        venv.create(tools, with_pip=True)
        subprocess.run([str(_python(tools)), "-m", "pip", "install", "--quiet", PIP_TOOLS],
                       check=True)

        def compile_(out: str, *args: str, given: str | None = None) -> None:
            subprocess.run(
                [str(_python(tools)), "-m", "piptools", "compile", "--quiet", "--generate-hashes",
                 "--strip-extras", "--allow-unsafe", "--no-emit-index-url",
                 "--no-emit-find-links", "--output-file", out, *args],
                cwd=ROOT, check=True, env={**os.environ, "CUSTOM_COMPILE_COMMAND": HEADER},
                input=given, text=True,
            )

        compile_(LOCKS["test"].name, "--extra", "test", "pyproject.toml")
        compile_(LOCKS["build"].name, "--constraint", LOCKS["test"].name, "pyproject.toml")
        compile_(LOCKS["links"].name, "--constraint", LOCKS["test"].name, "-",
                 given="\n".join(LINK_JOB) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--lock"]:
        lock()
    else:
        print("usage: python3 scripts/_venv.py --lock", file=sys.stderr)
        sys.exit(2)
