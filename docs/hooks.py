"""MkDocs hooks (``hooks:`` in mkdocs.yml): expand the generated reference sections.

Pages mark a generated section with a ``<!-- generated: NAME -->`` line; this hook
replaces it with what ``docs/gen_reference.py`` renders from the code at build time.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

_spec = importlib.util.spec_from_file_location(
    "pytest_ecr_docs_gen_reference", Path(__file__).with_name("gen_reference.py")
)
assert _spec is not None
assert _spec.loader is not None
gen_reference = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gen_reference  # dataclasses look their module up there
_spec.loader.exec_module(gen_reference)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return str(gen_reference.expand(markdown))
