"""In a notebook, a section's blocks are one output, shown when the section ends (also when it
fails, before the error); blocks added outside a section are shown at once."""
from __future__ import annotations

import pytest

from evalkit.report.blocks import Heading, Paragraph
from evalkit.report.sections import base
from evalkit.report.writers.html import render_block


class Doc(base.ReportDocument):
    def intro(self):
        self.heading(2, "Intro")
        self.para("one")
        self.inner()  # a section calling another: still one output
        self.para("three")

    def inner(self):
        self.para("two")

    def broken(self):
        self.para("before")
        raise RuntimeError("boom")


@pytest.fixture
def shown(monkeypatch):
    import IPython.display

    out = []
    monkeypatch.setattr(base, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: out.append(obj.data))
    return out


def test_a_section_is_one_output_in_block_order(shown):
    d = Doc("en")
    d.intro()
    assert shown == ["".join(render_block(b, "en") for b in d.blocks)]
    assert [type(b) for b in d.blocks] == [Heading, Paragraph, Paragraph, Paragraph]
    assert [b.text for b in d.blocks[1:]] == ["one", "two", "three"]


def test_a_failing_section_shows_its_blocks_before_the_error(shown):
    d = Doc("en")
    with pytest.raises(RuntimeError, match="boom"):
        d.broken()
    assert shown == [render_block(d.blocks[0], "en")]
    d.inner()  # nothing left over from the failed section
    assert shown[1:] == [render_block(d.blocks[1], "en")]


def test_a_block_added_outside_a_section_is_shown_at_once(shown):
    d = Doc("en")
    d.para("alone")
    assert shown == [render_block(d.blocks[0], "en")]
