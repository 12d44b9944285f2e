"""Package namespaces whose public names are imported on first use (PEP 562).

``import workbench`` (and so the ``workbench`` command's ``--help``) or a page
kernel's ``from workbench.views import StartView`` then loads only what is
asked for, not every module of the package.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec


def lazy_namespace(package: str, exports: dict[str, str],
                   namespace: dict) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose public names live in the modules ``exports`` gives.

    A name is imported from its module on first use and kept in ``namespace``
    (the package's ``globals()``); a module of the package (``workbench.matching``)
    is imported when it is asked for as an attribute.
    """

    def __getattr__(name: str) -> object:
        if name in exports:
            value = getattr(import_module(exports[name]), name)
        elif name.isidentifier() and not name.startswith("_") and find_spec(f"{package}.{name}") is not None:
            value = import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
