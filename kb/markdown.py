"""The one Markdown renderer: raw HTML off, plus `[[ID]]` links to any catalogue item."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# id -> (url, title) or None when the id is unknown
Resolver = Callable[[str], "tuple[str, str] | None"]


def _wikilink(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    end = state.src.find("]]", state.pos + 2)
    if end < 0:
        return False
    target = state.src[state.pos + 2 : end]
    if not target.strip() or "[" in target or "\n" in target:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = target
    state.pos = end + 2
    return True


def make_renderer(resolve: Resolver) -> Callable[[str], str]:
    """Return a function that renders Markdown, resolving `[[ID]]` with `resolve`."""
    md = MarkdownIt("js-default")
    md.inline.ruler.before("link", "wikilink", _wikilink)

    def render_wikilink(_renderer, tokens, idx, _options, _env) -> str:
        target = tokens[idx].content
        found = resolve(target)
        if found is None:
            return f'<span class="ref ref-missing">{escape(target)}</span>'
        url, title = found
        return f'<a class="ref" href="{escape(url)}" title="{escape(title)}">{escape(target)}</a>'

    md.add_render_rule("wikilink", render_wikilink)
    return md.render
