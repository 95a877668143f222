"""Load deployers' Python functions from FUNCTIONS_DIR, reloading a file when it changes."""

import importlib.util
import re
import threading
from collections.abc import Callable
from pathlib import Path

FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")

_cache: dict[Path, tuple[int, object]] = {}
_lock = threading.Lock()


class FunctionNotFound(LookupError):
    """The named function's file or attribute does not exist, or is not callable."""


def split_name(name: str) -> tuple[str, str]:
    """Return (file stem, function) for ``module.function`` or ``name`` (file and function).

    :raises FunctionNotFound: for a malformed name.
    """
    if not name or not FUNCTION_NAME.match(name):
        raise FunctionNotFound(f"{name!r} is not a function name (use file or file.function)")
    module, _, function = name.partition(".")
    return module, function or module


def load_module(path: Path):
    """Return the module of ``path``, executing it again only when its mtime changed."""
    mtime = path.stat().st_mtime_ns
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        spec = importlib.util.spec_from_file_location(f"handoff_functions.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _cache[path] = (mtime, module)
        return module


def load_function(functions_dir: str, name: str) -> Callable:
    """Return the callable ``name`` from ``functions_dir``.

    :raises FunctionNotFound: when the file or the function is missing.
    """
    stem, attribute = split_name(name)
    path = Path(functions_dir).resolve() / f"{stem}.py"
    if not path.is_file():
        raise FunctionNotFound(f"no file {path}")
    function = getattr(load_module(path), attribute, None)
    if not callable(function):
        raise FunctionNotFound(f"{path} has no function {attribute!r}")
    return function
