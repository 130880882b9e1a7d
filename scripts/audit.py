"""Measure the reader's budget: bytes and requests per page, and Lighthouse scores.

usage: python3 scripts/audit.py [-d SITE_DIR] [--build] [--runs N] [--no-lighthouse]

Serves the built site (building it first when there is none, or with --build) on 127.0.0.1 under
/annotated-commentary/, compressing text responses with gzip as GitHub Pages does. Every page is
loaded in Debian's Chromium on a phone-sized screen with an empty cache, and the bytes that came
over the wire and the number of requests are printed. Lighthouse 12.2.3 (npm; installed on first
use into a cache folder outside the repository) then scores the overview and a principle page
with its mobile preset; each score is the median of --runs runs. Targets: at most 100 kB and 10
requests a page; 100 in accessibility, best practices and SEO; at least 97 in performance.
Exit status: 0 when every target is met, 1 when one is missed or could not be measured, 2 on bad
usage or a missing tool. This is a measurement, not a test: scores vary a little between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
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
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median)")
    parser.add_argument("--no-lighthouse", action="store_true", help="bytes and requests only")
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
                runs = max(1, args.runs)
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


def run_lighthouse(command: list[str], chrome: str, url: str) -> dict | None:
    """One Lighthouse run; the JSON report, or None (with Lighthouse's error printed)."""
    environment = {**os.environ, "CHROME_PATH": chrome}
    result = subprocess.run(
        [*command, url, "--quiet", "--output=json", "--output-path=stdout",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"],
        capture_output=True, text=True, env=environment, check=False,
    )
    if result.returncode != 0:
        print(result.stderr.strip()[-2000:], file=sys.stderr)
        return None
    return json.loads(result.stdout)


if __name__ == "__main__":
    import _venv

    _venv.ensure()
    sys.exit(main())
