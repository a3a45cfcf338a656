"""Ways a request reaches the fake: the in-process botocore hook, the HTTP server.

Importing this package is cheap: :func:`ensure_hook` installs the botocore hook now if
botocore is already loaded, or the moment it is, so the plugin costs nothing at start-up
for a suite that never touches botocore.

"The moment it is" is the end of ``botocore.session``'s import: no session (and so no
client) can exist before it, and by then every module the hook patches is complete
(``botocore.handlers`` is imported halfway through ``botocore.session``, whose
``Session`` class is not defined yet at that point).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Sequence
from types import ModuleType
from typing import Any

_WATCHED = "botocore.session"
_lock = threading.Lock()


def _install_now() -> None:
    # Importing the module installs the hook (see botocore_hook._install).
    import pytest_ecr.transports.botocore_hook  # noqa: F401


class _Loader(importlib.abc.Loader):
    """Runs botocore's own loader, then installs the hook into the fresh module."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self._loader.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        # The import system binds the submodule on its package only after this returns;
        # the hook reaches it as ``botocore.handlers``, so bind it now.
        parent = sys.modules.get(_WATCHED.rpartition(".")[0])
        if parent is not None:
            setattr(parent, _WATCHED.rpartition(".")[2], module)
        _install_now()


class _BotocoreWatcher(importlib.abc.MetaPathFinder):
    """Waits for ``botocore.session`` to be imported, then installs the hook (once)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _WATCHED:
            return None
        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Loader(spec.loader)
        return spec


def ensure_hook() -> None:
    """Install the in-process hook now, or as soon as ``botocore.session`` is imported."""
    if _WATCHED in sys.modules:
        _install_now()
        return
    with _lock:
        if not any(isinstance(f, _BotocoreWatcher) for f in sys.meta_path):
            sys.meta_path.insert(0, _BotocoreWatcher())
