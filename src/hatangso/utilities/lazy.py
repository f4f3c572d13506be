"""Heavy libraries imported on first use, so that a command which never touches them starts
quickly (issue 19): `np = lazy_import("numpy")` at a module's top behaves as `import numpy as np`,
except that numpy is imported when an attribute of `np` is first read, not when the module is."""

import importlib


class LazyModule:
    """Stands for the module `name`; reading an attribute imports it (once) and returns the module's
    attribute, which is then kept on the stand-in so later reads cost what a module's do."""

    def __init__(self, name: str):
        self.__dict__["_lazy_name"] = name

    def __getattr__(self, attribute: str):
        value = getattr(importlib.import_module(self.__dict__["_lazy_name"]), attribute)
        self.__dict__[attribute] = value
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_lazy_name']!r}>"


def lazy_import(name: str) -> LazyModule:
    """A stand-in for `import name as alias` (dotted names too: `lazy_import("pyarrow.parquet")`)."""
    return LazyModule(name)
