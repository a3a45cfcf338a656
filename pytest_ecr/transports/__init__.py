"""Ways a request reaches the fake: the in-process hooks (botocore's, aiobotocore's), the
HTTP server.

Importing this package is cheap: :func:`ensure_hook` installs the botocore hook now if
botocore is already loaded, or the moment it is, and the aiobotocore hook the same way
for aiobotocore, so the plugin costs nothing at start-up for a suite that never touches
either (and never imports aiobotocore itself).

"The moment it is" is the end of ``botocore.session``'s import (``aiobotocore.session``'s
for the async hook): no session (and so no client) can exist before it, and by then every
module the hook patches is complete (``botocore.handlers`` is imported halfway through
``botocore.session``, whose ``Session`` class is not defined yet at that point).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

_lock = threading.Lock()


def _install_botocore() -> None:
    # Importing the module installs the hook (see botocore_hook._install); the botocore
    # hook in turn arms the aiobotocore one (so does a FakeEcr used without the plugin).
    import pytest_ecr.transports.botocore_hook  # noqa: F401


def _install_aiobotocore() -> None:
    # Importing the module installs the hook (see aiobotocore_hook._install).
    import pytest_ecr.transports.aiobotocore_hook  # noqa: F401


class _Loader(importlib.abc.Loader):
    """Runs the library's own loader, then installs the hook into the fresh module."""

    def __init__(self, loader: Any, name: str, install: Callable[[], None]) -> None:
        self._loader = loader
        self._name = name
        self._install = install

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self._loader.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        # The import system binds the submodule on its package only after this returns;
        # the hook reaches it as ``botocore.session`` (``aiobotocore.session``), so bind it.
        package, _, leaf = self._name.rpartition(".")
        parent = sys.modules.get(package)
        if parent is not None:
            setattr(parent, leaf, module)
        self._install()


class _Watcher(importlib.abc.MetaPathFinder):
    """Waits for one module to be imported, then installs its hook (once)."""

    def __init__(self, name: str, install: Callable[[], None]) -> None:
        self.name = name
        self._install = install

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Loader(spec.loader, fullname, self._install)
        return spec


def _loaded(name: str) -> bool:
    """Whether module *name* is imported completely (not absent, not mid-import)."""
    module = sys.modules.get(name)
    spec = getattr(module, "__spec__", None)
    return module is not None and not getattr(spec, "_initializing", False)


def _ensure(name: str, install: Callable[[], None]) -> None:
    if _loaded(name):
        install()
        return
    if name in sys.modules:
        return  # mid-import: a watcher armed earlier installs the hook when it completes
    with _lock:
        if not any(isinstance(f, _Watcher) and f.name == name for f in sys.meta_path):
            sys.meta_path.insert(0, _Watcher(name, install))


def ensure_async_hook() -> None:
    """Install the aiobotocore hook now, or as soon as ``aiobotocore.session`` is imported
    (nothing is imported while aiobotocore is not)."""
    _ensure("aiobotocore.session", _install_aiobotocore)


def ensure_hook() -> None:
    """Install the in-process hooks now, or as soon as ``botocore.session`` (for the
    aiobotocore hook, ``aiobotocore.session``) is imported."""
    ensure_async_hook()
    _ensure("botocore.session", _install_botocore)
