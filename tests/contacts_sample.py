"""A copy of the real timeline with contact lines added, for the timeline-data and chart tests.

The timeline's writers mark every US-North Korea contact with a line right after its date:

    **Contact:** a former president meets the North's leader · **Outcome:** a freeze for talks
    { .tl-meta .tl-contact data-level="envoy" data-outcome="agreement" }

`sample_timeline()` gives docs/timeline.md with such lines on the entries in CONTACTS (and only
there), and `render()` turns a timeline's Markdown into HTML with the site's Markdown extensions,
as the build does before MkDocs rewrites its links.
"""

from __future__ import annotations

import markdown
from conftest import ROOT

TIMELINE = ROOT / "docs" / "timeline.md"
# Entry id: (level, outcome, who met whom, what came of it). Test data, not a reading of the record.
CONTACTS = {
    "1994-06-carter-pyongyang": ("envoy", "agreement",
                                 "a former president meets the North's leader",
                                 "a freeze in return for talks"),
    "1994-10-agreed-framework": ("senior", "agreement", "chief negotiators meet in Geneva",
                                 "the Agreed Framework"),
    "2000-10-jo-myong-rok-washington": ("envoy", "agreement",
                                        "the North's envoy meets the President",
                                        "a joint communiqué"),
    "2000-10-albright-pyongyang": ("envoy", "progress", "the Secretary of State meets the leader",
                                   "talks on missiles, no deal"),
    "2000-11-kuala-lumpur-missile-talks": ("working", "none", "missile experts meet",
                                           "issues left open"),
    "2003-08-six-party-talks-open": ("senior", "none", "delegations meet in Beijing",
                                     "no joint statement"),
    "2005-09-joint-statement": ("senior", "agreement", "heads of delegation meet",
                                "the Joint Statement"),
    "2007-02-implementation-deal": ("senior", "agreement", "heads of delegation meet",
                                    "first steps agreed"),
    "2008-12-verification-impasse": ("senior", "none", "heads of delegation meet",
                                     "no verification protocol"),
    "2009-08-bill-clinton-pyongyang": ("envoy", "progress",
                                       "a former president meets the North's leader",
                                       "two journalists freed"),
    "2009-12-bosworth-pyongyang": ("senior", "none", "a special representative visits",
                                   "no return to talks"),
    "2010-11-yongbyon-enrichment-shown": ("track2", "none", "US scientists visit Yongbyon",
                                          "a look at the enrichment hall"),
    "2012-02-leap-day-deal": ("senior", "agreement", "negotiators meet in Beijing",
                              "parallel statements"),
    "2014-11-clapper-pyongyang": ("senior", "progress", "the intelligence director visits",
                                  "two Americans freed"),
    "2018-06-singapore-summit": ("leader", "agreement", "the two leaders meet",
                                 "a joint statement"),
    "2019-02-hanoi-summit": ("leader", "none", "the two leaders meet", "no agreement"),
    "2019-06-dmz-meeting": ("leader", "progress", "the two leaders meet at the border",
                            "talks to resume"),
    "2019-10-stockholm-talks": ("working", "none", "negotiators meet in Stockholm",
                                "talks break down"),
}
# The Markdown extensions the site renders pages with (mkdocs.yml).
EXTENSIONS = ["abbr", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "toc"]


def contact_line(level: str, outcome: str, who: str, result: str) -> str:
    """The Markdown of one contact line, as the timeline's writers write it."""
    return (f"**Contact:** {who} · **Outcome:** {result}\n"
            f'{{ .tl-meta .tl-contact data-level="{level}" data-outcome="{outcome}" }}\n')


def sample_timeline(contacts: dict[str, tuple[str, str, str, str]] = CONTACTS) -> str:
    """docs/timeline.md with exactly the contact lines of `contacts`, after each entry's date.

    Contact lines the page already has are left out first, so the tests do not depend on the
    writers' reading of the record.
    """
    out: list[str] = []
    current = None
    lines = TIMELINE.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("**Contact:**") or ".tl-contact" in line:
            continue
        if line == "\n" and index + 1 < len(lines) and lines[index + 1].startswith("**Contact:**"):
            continue
        out.append(line)
        if line.startswith("### ") and "{ #" in line:
            current = line.rsplit("{ #", 1)[1].split("}", 1)[0].strip()
        elif line.startswith("<time ") and current in contacts:
            out.append("\n" + contact_line(*contacts[current]))
    return "".join(out)


def render(text: str) -> str:
    """A page's Markdown as HTML, with the site's Markdown extensions (links not rewritten)."""
    return markdown.markdown(text, extensions=EXTENSIONS)
