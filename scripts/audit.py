"""Measure the reader's budget: bytes and requests per page, and Lighthouse scores.

usage: python3 scripts/audit.py [-d SITE_DIR] [--build] [--runs N] [--no-lighthouse]
       python3 scripts/audit.py --compare [-d SITE_DIR] [--build] [--runs N]

Serves the built site (building it first when there is none, or with --build) on 127.0.0.1 under
/annotated-commentary/, compressing text responses with gzip as GitHub Pages does. Every page is
loaded in Debian's Chromium on a phone-sized screen with an empty cache, and the bytes that came
over the wire and the number of requests are printed. Lighthouse 12.2.3 (npm; installed on first
use into a cache folder outside the repository) then scores the overview and a principle page
with its mobile preset; each score is the median of --runs runs. Targets: at most 100 kB and 10
requests a page; 100 in accessibility, best practices and SEO; at least 97 in performance.
Exit status: 0 when every target is met, 1 when one is missed or could not be measured, 2 on bad
usage or a missing tool. This is a measurement, not a test: scores vary a little between runs.

--compare measures what the theme's script costs instead, on one machine in one sitting, since
absolute scores do not carry from one machine to the next: each principle page is scored against
its own script-free rendering (the same HTML with every `<script>` element removed, served by the
same server from a sibling folder), the two Lighthouse runs interleaved, five of each by default.
It prints one line per page (both median scores, both median blocking times, the difference) and
exits 1 unless every page scores within 3 points of its script-free self with a median total
blocking time under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from commentary.pages_server import built_pages, chromium_executable, serve

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = "lighthouse@12.2.3"
LIGHTHOUSE_PAGES = ("", "principles/leader-first/")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# Targets: the most a page may transfer and request; the least each Lighthouse category may score.
MAX_BYTES = 100_000
MAX_REQUESTS = 10
MIN_SCORES = {"performance": 97, "accessibility": 100, "best-practices": 100, "seo": 100}
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync")
PHONE = {"width": 390, "height": 844}
# --compare: the pages compared with their script-free rendering, and the goal each must meet.
COMPARED_SECTION = "principles/"
MAX_SCORE_GAP = 3  # points of performance the page may lose to its scripts
MAX_BLOCKING_MS = 100  # median total blocking time of the page as built
COMPARE_RUNS = 5
# Where the script-free rendering of `principles/x/` is served: a sibling folder at the same
# depth, so that every relative address in the page resolves as it does for the real one.
WITHOUT_SCRIPTS_SUFFIX = "-without-scripts"
# A whole <script> element (its text cannot contain "</script", so the first one ends it).
SCRIPT_ELEMENT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.DOTALL | re.IGNORECASE)


@dataclass
class PageLoad:
    """What one cold load of a page fetched."""

    path: str
    requests: int = 0
    transferred: int = 0
    failed: list[str] = field(default_factory=list)
    other_hosts: list[str] = field(default_factory=list)


def main(argv: Sequence[str] | None = None) -> int:
    """Build or reuse the site, measure it, print the figures and the missed targets."""
    parser = argparse.ArgumentParser(prog="audit.py", description=__doc__.split("\n")[0])
    parser.add_argument("-d", "--site-dir", default=str(ROOT / "site"))
    parser.add_argument("--build", action="store_true", help="rebuild the site first")
    parser.add_argument("--runs", type=int, default=None,
                        help=f"Lighthouse runs per page (3; {COMPARE_RUNS} with --compare)")
    parser.add_argument("--no-lighthouse", action="store_true", help="bytes and requests only")
    parser.add_argument("--compare", action="store_true",
                        help="score each principle page against its script-free rendering")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else 2

    chrome = chromium_executable()
    if chrome is None:
        print("audit.py: no Chromium at $CHROME_PATH or /usr/bin/chromium "
              "(Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    site = Path(args.site_dir).resolve()
    if args.build or not (site / "index.html").is_file():
        import build

        print(f"Building {os.path.relpath(site)}/ ...", flush=True)
        if build.main(["--no-pdf", "--site-dir", str(site)]) != 0:
            return 1

    if args.compare:
        lighthouse = lighthouse_command()
        if lighthouse is None:
            print(f"audit.py: neither npm nor npx could provide {LIGHTHOUSE}", file=sys.stderr)
            return 2
        runs = max(1, args.runs or COMPARE_RUNS)
        return compare(lighthouse, chrome, site, runs)

    missed: list[str] = []
    with serve(site) as base:
        loads = [measure_page(chrome, base, path) for path in built_pages(site)]
        print_loads(loads)
        for load in loads:
            name = load.path or "/"
            if load.transferred > MAX_BYTES:
                missed.append(
                    f"{name}: {kb(load.transferred)} transferred (budget {kb(MAX_BYTES)})")
            if load.requests > MAX_REQUESTS:
                missed.append(f"{name}: {load.requests} requests (budget {MAX_REQUESTS})")
            for url in load.failed:
                missed.append(f"{name}: request failed: {url}")
            for url in load.other_hosts:
                missed.append(f"{name}: request to another host: {url}")

        if not args.no_lighthouse:
            lighthouse = lighthouse_command()
            if lighthouse is None:
                missed.append(f"Lighthouse not run: neither npm nor npx could provide {LIGHTHOUSE}")
            else:
                runs = max(1, args.runs or 3)
                for path in LIGHTHOUSE_PAGES:
                    missed += audit_with_lighthouse(lighthouse, chrome, base + path, runs)

    if missed:
        print(f"\n{len(missed)} target{'s' * (len(missed) != 1)} missed:")
        for line in missed:
            print(f"  - {line}")
        return 1
    print("\nEvery target met.")
    return 0


def kb(size: int) -> str:
    """A byte count in kB (1,000 bytes), one decimal."""
    return f"{size / 1000:.1f} kB"


# ---- A static server like GitHub Pages: a subpath, gzip for text, its 404 page ----------------


# ---- Bytes and requests ------------------------------------------------------------------------


def measure_page(chrome: str, base: str, path: str) -> PageLoad:
    """Load one page cold on a phone-sized screen; count its requests and transferred bytes."""
    from playwright.sync_api import sync_playwright

    load = PageLoad(path)
    origin = urlsplit(base).netloc
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chrome, args=list(CHROME_FLAGS[1:]))
        try:
            context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                          device_scale_factor=3)
            page = context.new_page()

            def finished(request) -> None:
                sizes = request.sizes()
                load.requests += 1
                load.transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                if urlsplit(request.url).netloc != origin and not request.url.startswith("data:"):
                    load.other_hosts.append(request.url)

            def failed(request) -> None:
                load.requests += 1
                load.failed.append(request.url)

            page.on("requestfinished", finished)
            page.on("requestfailed", failed)
            page.goto(base + path, wait_until="load")
            page.wait_for_load_state("networkidle")
            context.close()
        finally:
            browser.close()
    return load


def print_loads(loads: list[PageLoad]) -> None:
    """One line per page: requests and bytes transferred (gzip), then the largest page."""
    width = max(len(load.path or "/") for load in loads)
    print(f"{'page':<{width}}  requests  transferred (gzip)")
    for load in loads:
        print(f"{load.path or '/':<{width}}  {load.requests:>8}  {kb(load.transferred):>18}")
    heaviest = max(loads, key=lambda load: load.transferred)
    print(f"largest: {heaviest.path or '/'} {kb(heaviest.transferred)}; "
          f"budget {kb(MAX_BYTES)} and {MAX_REQUESTS} requests a page")


# ---- Lighthouse ----------------------------------------------------------------------------------


def lighthouse_command() -> list[str] | None:
    """The Lighthouse command line, installing the pinned version into a cache folder if needed."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    prefix = cache / "annotated-commentary" / "lighthouse"
    binary = prefix / "node_modules" / ".bin" / "lighthouse"
    if binary.is_file():
        return [str(binary)]
    npm = shutil.which("npm")
    if npm:
        print(f"Installing {LIGHTHOUSE} into {prefix} (first run only) ...", flush=True)
        prefix.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
             "--loglevel=error", LIGHTHOUSE],
            check=False,
        )
        if result.returncode == 0 and binary.is_file():
            return [str(binary)]
    npx = shutil.which("npx")
    return [npx, "--yes", LIGHTHOUSE] if npx else None


def audit_with_lighthouse(command: list[str], chrome: str, url: str, runs: int) -> list[str]:
    """Score one page `runs` times with the mobile preset; print medians; return missed targets."""
    scores: dict[str, list[float]] = {name: [] for name in CATEGORIES}
    failing: dict[str, set[str]] = {name: set() for name in CATEGORIES}
    metrics: dict[str, list[str]] = {}
    for _ in range(runs):
        report = run_lighthouse(command, chrome, url)
        if report is None:
            return [f"{url}: Lighthouse failed to run"]
        for name in CATEGORIES:
            category = report["categories"][name]
            scores[name].append(round((category["score"] or 0) * 100))
            for ref in category["auditRefs"]:
                audit = report["audits"].get(ref["id"], {})
                if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                    failing[name].add(ref["id"])
        for metric in ("first-contentful-paint", "largest-contentful-paint",
                       "total-blocking-time", "cumulative-layout-shift", "speed-index"):
            metrics.setdefault(metric, []).append(report["audits"][metric].get("displayValue", ""))

    print(f"\nLighthouse {LIGHTHOUSE.split('@')[1]}, mobile, median of {runs}: {url}")
    missed = []
    for name in CATEGORIES:
        median = statistics.median(scores[name])
        runs_text = ", ".join(str(score) for score in scores[name])
        note = ""
        if name != "performance" and failing[name]:
            note = f"  failing: {', '.join(sorted(failing[name]))}"
        print(f"  {name:<15} {median:>5g}   (runs: {runs_text}){note}")
        if median < MIN_SCORES[name]:
            missed.append(f"{url}: {name} {median:g} (target {MIN_SCORES[name]})")
    print("  " + "; ".join(f"{metric} {', '.join(values)}" for metric, values in metrics.items()))
    return missed


# ---- The theme's script against the same page without it ------------------------------------


@dataclass
class Runs:
    """Lighthouse's performance score and total blocking time (ms) of each run of one page."""

    scores: list[int] = field(default_factory=list)
    blocking: list[float] = field(default_factory=list)

    def add(self, report: dict) -> None:
        """Record one run's report."""
        self.scores.append(round((report["categories"]["performance"]["score"] or 0) * 100))
        self.blocking.append(report["audits"]["total-blocking-time"]["numericValue"])

    @property
    def score(self) -> float:
        return statistics.median(self.scores)

    @property
    def blocking_ms(self) -> float:
        return statistics.median(self.blocking)


@dataclass
class Comparison:
    """One page as built against its script-free rendering."""

    page: str
    built: Runs = field(default_factory=Runs)
    bare: Runs = field(default_factory=Runs)

    @property
    def difference(self) -> float:
        """Points the page loses to its scripts (negative when it scored higher with them)."""
        return self.bare.score - self.built.score

    def missed(self) -> list[str]:
        """The goals this page misses, one sentence each."""
        missed = []
        if self.difference > MAX_SCORE_GAP:
            missed.append(f"{self.page}: {self.difference:g} points below its script-free "
                          f"rendering (at most {MAX_SCORE_GAP})")
        if self.built.blocking_ms >= MAX_BLOCKING_MS:
            missed.append(f"{self.page}: total blocking time {self.built.blocking_ms:.0f} ms "
                          f"(under {MAX_BLOCKING_MS} ms)")
        return missed


def without_scripts(html: str) -> str:
    """The same page with every `<script>` element removed."""
    return SCRIPT_ELEMENT.sub("", html)


def compared_pages(site: Path) -> list[str]:
    """The principle pages of a built site (not the section's own index, if it has one)."""
    return [page for page in built_pages(site)
            if page.startswith(COMPARED_SECTION) and page != COMPARED_SECTION]


def bare_address(page: str) -> str:
    """Where the script-free rendering of a page is served: `principles/x-without-scripts/`."""
    return page.rstrip("/") + WITHOUT_SCRIPTS_SUFFIX + "/"


def machine() -> str:
    """The processor count and model, and the load when the measurement started."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average {os.getloadavg()[0]:.1f}"
    return f"{os.cpu_count()} cores, {model}{load}"


def compare(command: list[str], chrome: str, site: Path, runs: int) -> int:
    """Score each principle page and its script-free rendering, interleaved; print; 0 if met."""
    pages = compared_pages(site)
    if not pages:
        print(f"audit.py: no pages under {COMPARED_SECTION} in {site}", file=sys.stderr)
        return 2
    results = [Comparison(page) for page in pages]
    print(f"Lighthouse {LIGHTHOUSE.split('@')[1]}, mobile preset, {runs} interleaved runs of "
          f"each page and of its script-free rendering; machine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="audit-compare-") as folder:
        served = Path(folder) / "site"
        shutil.copytree(site, served)
        for page in pages:
            html = (served / page / "index.html").read_text(encoding="utf-8")
            bare = served / bare_address(page) / "index.html"
            bare.parent.mkdir(parents=True)
            bare.write_text(without_scripts(html), encoding="utf-8")
        with serve(served) as base:
            for run in range(runs):
                print(f"  run {run + 1} of {runs} ...", flush=True)
                for result in results:
                    # Alternate which variant goes first, so neither always gets a warmer machine.
                    variants = [(result.built, result.page),
                                (result.bare, bare_address(result.page))]
                    for record, address in variants[:: 1 if run % 2 == 0 else -1]:
                        report = run_lighthouse(command, chrome, base + address, ("performance",))
                        if report is None:
                            print(f"{base + address}: Lighthouse failed to run", file=sys.stderr)
                            return 1
                        record.add(report)
    print_comparison(results)
    missed = [line for result in results for line in result.missed()]
    if missed:
        print(f"\n{len(missed)} goal{'s' * (len(missed) != 1)} missed:")
        for line in missed:
            print(f"  - {line}")
        return 1
    print(f"\nEvery principle page within {MAX_SCORE_GAP} points of its script-free rendering, "
          f"with under {MAX_BLOCKING_MS} ms of blocking time.")
    return 0


def print_comparison(results: list[Comparison]) -> None:
    """One line per page: score and blocking time as built, then without scripts; the gap."""
    width = max(len(result.page) for result in results)
    print(f"{'page':<{width}}  {'as built':>8}  {'blocking':>8}  {'no script':>9}  "
          f"{'blocking':>8}  {'difference':>10}  goal")
    for result in results:
        goal = "met" if not result.missed() else "missed"
        print(f"{result.page:<{width}}  {result.built.score:>8g}  "
              f"{result.built.blocking_ms:>5.0f} ms  {result.bare.score:>9g}  "
              f"{result.bare.blocking_ms:>5.0f} ms  {result.difference:>+10g}  {goal}")
    print("each run, as score/blocking ms:")
    for result in results:
        print(f"  {result.page:<{width}}  as built {runs_text(result.built)};  "
              f"without scripts {runs_text(result.bare)}")


def runs_text(runs: Runs) -> str:
    """Each run as score/blocking time, in order."""
    return " ".join(f"{score}/{ms:.0f}" for score, ms in zip(runs.scores, runs.blocking,
                                                             strict=True))


def run_lighthouse(command: list[str], chrome: str, url: str,
                   categories: Sequence[str] = CATEGORIES) -> dict | None:
    """One Lighthouse run; the JSON report, or None (with Lighthouse's error printed)."""
    environment = {**os.environ, "CHROME_PATH": chrome}
    result = subprocess.run(
        [*command, url, "--quiet", "--output=json", "--output-path=stdout",
         f"--only-categories={','.join(categories)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"],
        capture_output=True, text=True, env=environment, check=False,
    )
    if result.returncode != 0:
        print(result.stderr.strip()[-2000:], file=sys.stderr)
        return None
    return json.loads(result.stdout)


if __name__ == "__main__":
    import _venv

    _venv.ensure("test")
    sys.exit(main())
