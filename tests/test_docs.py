"""The README documents every setting (Datasette's test_docs idea)."""

from __future__ import annotations

import pytest

from kb.config import DEFAULTS, ROOT

README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_readme_documents_setting(key):
    assert f"`KB_{key}`" in README
