"""The lock files: every package pinned with its hashes, the build's tools a part of the test's.

`python3 scripts/build.py` installs requirements.lock, `python3 scripts/test.py` and CI install
requirements-test.lock, the weekly link job requirements-links.lock; all three with pip's
`--require-hashes`, and all three written by pip-compile (`python3 scripts/_venv.py --lock`).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import _venv
import pytest

ROOT = Path(__file__).resolve().parent.parent
# A requirement line of a lock: `name==version \`, then its `--hash=sha256:...` lines.
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+) \\$")
HASH = re.compile(r"^ +--hash=sha256:[0-9a-f]{64}")


def pins(kind: str) -> dict[str, str]:
    """A lock's packages and their versions; fails on a package without a hash."""
    found: dict[str, str] = {}
    lines = _venv.LOCKS[kind].read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        match = PIN.match(line)
        if match:
            assert HASH.match(lines[number + 1]), f"{kind}: {match['name']} has no hash"
            found[match["name"].lower()] = match["version"]
        elif line and not line.lstrip().startswith(("#", "--hash")):
            pytest.fail(f"{_venv.LOCKS[kind].name}:{number + 1}: not an exact pin: {line}")
    return found


def _name(requirement: str) -> str:
    return re.split(r"[=<>~!\[; ]", requirement, maxsplit=1)[0].lower()


@pytest.mark.parametrize("kind", list(_venv.LOCKS))
def test_every_locked_package_is_pinned_with_a_hash(kind: str) -> None:
    assert pins(kind)


def test_the_build_lock_holds_the_test_locks_versions() -> None:
    test = pins("test")
    for kind in ("build", "links"):
        differ = {name: (version, test.get(name)) for name, version in pins(kind).items()
                  if test.get(name) != version}
        assert differ == {}, kind


def test_pyproject_pins_each_dependency_as_its_lock_does() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for kind, declared in (("build", project["dependencies"]),
                           ("test", project["optional-dependencies"]["test"])):
        locked = pins(kind)
        wrong = [requirement for requirement in declared
                 if requirement.partition("==")[2] != locked.get(_name(requirement))]
        assert wrong == [], kind


def test_building_installs_no_test_tool_and_no_plotting_library() -> None:
    build = pins("build")
    for name in ("pytest", "playwright", "zensical", "ruff", "matplotlib", "numpy"):
        assert name not in build


# Run in a child interpreter: any top-level module from an installed distribution that the link
# job's lock does not hold fails to import, as it would on the job's runner; then the job's first
# command runs.
LINK_JOB = """
import importlib.abc, importlib.metadata, sys
allowed = set(sys.argv[1].split())
owners = importlib.metadata.packages_distributions()

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        found = owners.get(name.partition(".")[0], [])
        if found and not any(d.lower().replace("_", "-") in allowed for d in found):
            raise ModuleNotFoundError(f"not in requirements-links.lock: {name}", name=name)
        return None

sys.meta_path.insert(0, Refuse())
sys.path.insert(0, "scripts")
sys.argv = ["source_links.py", "list", sys.argv[2]]
import source_links
sys.exit(source_links.main())
"""


def test_the_link_jobs_lock_is_enough_for_its_script(tmp_path: Path) -> None:
    out = tmp_path / "urls.txt"
    result = subprocess.run([sys.executable, "-c", LINK_JOB, " ".join(pins("links")), str(out)],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert out.read_text(encoding="utf-8").startswith("http")


def test_the_link_jobs_lock_leaves_out_the_pdf_and_the_theme() -> None:
    links = pins("links")
    for name in ("weasyprint", "mkdocs-material", "pillow", "fonttools", "playwright"):
        assert name not in links
