"""The Markdown renderer: raw HTML off, [[ID]] links resolved."""

from __future__ import annotations

from kb.markdown import make_renderer

ITEMS = {"SR 1.1": ("/requirements/sr-1-1", "Human <user> auth")}
render = make_renderer(ITEMS.get)


def test_wikilink_becomes_a_link_with_escaped_title():
    html = render("See [[SR 1.1]].")
    assert (
        '<a class="ref" href="/requirements/sr-1-1" title="Human &lt;user&gt; auth">SR 1.1</a>'
        in html
    )


def test_unknown_wikilink_is_marked_not_linked():
    assert '<span class="ref ref-missing">SR 9.9</span>' in render("[[SR 9.9]]")


def test_raw_html_and_event_handlers_are_escaped():
    html = render('<img src=x onerror="alert(1)"> <script>x</script>')
    assert "<img" not in html and "<script>" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_are_not_rendered_as_links():
    assert 'href="javascript' not in render("[click](javascript:alert(1))")
