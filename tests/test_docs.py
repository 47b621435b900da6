"""The rules that keep the docs runnable (the blocks themselves run from conftest.py, via Sybil):
every fence names a language Sybil is told about, and every skipped block says why.

A fence in an unknown language (```bash, ```py) would silently never run; a bare ``` would
hide code among output. Both fail here, with the fix in the message.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sybil import Document
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, RawFencedCodeBlockLexer

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
RUN = {"python", "sh", "console", "json"}  # executed (conftest.py)
SHOWN = {"text", "lua"}  # output, trees, tables; Nakama's Lua runtime code (tests/nakama/modules)
HOW = "see README.md, 'Writing docs that run'"
# skip: next "why" | skip: start "why" | skip: start if(condition, reason="why") | skip: end
REASONED = r"""(next|start) +((["']).+\3|if\(.+, *reason=(["']).+\4\))|end"""


def document(path: Path) -> Document:
    return Document(path.read_text(encoding="utf-8"), str(path))


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_fence_names_a_known_language(path: Path) -> None:
    lexer = RawFencedCodeBlockLexer(info_pattern=re.compile(r"(?P<info>[^\n]*)\n"))
    bad = []
    for region in lexer(document(path)):
        info = region.lexemes["info"].strip()
        if info not in RUN | SHOWN:
            line = path.read_text(encoding="utf-8")[: region.start].count("\n") + 1
            bad.append(f"line {line}: ```{info}")
    assert bad == [], (
        f"{path.name}: name the block's language, one of {sorted(RUN | SHOWN)} ({HOW})"
    )


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_skip_gives_its_reason(path: Path) -> None:
    lexer = DirectiveInHTMLCommentLexer(directive="skip")
    bad = [
        str(region.lexemes["arguments"])
        for region in lexer(document(path))
        if not re.fullmatch(REASONED, str(region.lexemes["arguments"]))
    ]
    assert bad == [], f'{path.name}: write <!-- skip: next "why it does not run" --> ({HOW})'


def test_every_doc_page_is_collected() -> None:
    """New pages in docs/ are picked up without a change anywhere (conftest.py's is_doc)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert all(module.is_doc(path) for path in DOCS)
    assert len(DOCS) >= 12
    assert not module.is_doc(ROOT / "tests" / "samples" / "README.md")
