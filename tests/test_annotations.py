"""Annotations made at build time: the Markdown extension turns markers into popover buttons."""

from __future__ import annotations

import markdown
from commentary.extension import CommentaryExtension

EXTENSIONS = ["attr_list", "footnotes", "md_in_html"]


def render(text: str) -> str:
    """A page's HTML as the project's Markdown extension renders it."""
    return markdown.markdown(text, extensions=[*EXTENSIONS, CommentaryExtension()])


def marker(block: int, n: int, written: str) -> str:
    """The markup of marker n of the block-th annotated block, as the build writes it."""
    return (
        f'<span class="md-annotation"><span class="annotation-number">{written}</span>'
        f'<button aria-label="Note {n}" class="md-annotation__index" '
        f'popovertarget="annotation-{block}-{n}" style="anchor-name: --annotation-{block}-{n}" '
        f'type="button"><span data-md-annotation-id="{n}"></span></button></span>'
    )


def note(block: int, n: int, text: str) -> str:
    """The markup of note n of the block-th annotated block."""
    return (
        f'<li id="annotation-{block}-{n}" popover="" '
        f'style="position-anchor: --annotation-{block}-{n}">{text}</li>'
    )


def test_markers_become_buttons_that_open_their_notes():
    html = render("A claim (1) and *another* (2).\n{ .annotate }\n\n1.  First.\n2.  Second.\n")
    assert html == (
        f'<p class="annotate">A claim{marker(1, 1, " (1)")} and <em>another</em>'
        f'{marker(1, 2, " (2)")}.</p>\n'
        f'<ol class="md-annotation-list">\n{note(1, 1, "First.")}\n{note(1, 2, "Second.")}\n</ol>'
    )


def test_each_annotated_block_numbers_its_own_notes():
    html = render("One (1).\n{ .annotate }\n\n1.  A.\n\nTwo (1).\n{ .annotate }\n\n1.  B.\n")
    assert 'popovertarget="annotation-1-1"' in html and note(1, 1, "A.") in html
    assert 'popovertarget="annotation-2-1"' in html and note(2, 1, "B.") in html


def test_only_the_first_marker_of_a_note_opens_it():
    html = render("A (1), again (1).\n{ .annotate }\n\n1.  Note.\n")
    assert html.count("<button") == 1
    assert "again (1).</p>" in html


def test_a_note_without_a_marker_stays_a_list_item():
    html = render("A claim (1).\n{ .annotate }\n\n1.  Marked.\n2.  Unmarked.\n")
    assert note(1, 1, "Marked.") in html
    assert "<li>Unmarked.</li>" in html


def test_markers_in_code_and_links_are_text():
    html = render("Call `f(1)` or [see (1)](x.md) (1).\n{ .annotate }\n\n1.  Note.\n")
    assert "<code>f(1)</code>" in html
    assert '<a href="x.md">see (1)</a>' in html
    assert html.count("<button") == 1


def test_a_block_without_a_list_is_left_alone():
    assert render("A claim (1).\n{ .annotate }\n") == '<p class="annotate">A claim (1).</p>'


def test_the_written_number_stays_in_the_text_for_the_pdf():
    # commentary/pdf.py reads "(n)" from the built page, the space before it included, and turns
    # each into a footnote call at the word before it.
    html = render("Carter went (1).\n{ .annotate }\n\n1.  He travelled.\n")
    number = '<span class="annotation-number"> (1)</span>'
    assert f'Carter went<span class="md-annotation">{number}' in html
