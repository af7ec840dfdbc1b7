"""botocore's start-up work done once per process instead of once per activation.

moto's ``mock_aws`` resets ``boto3.DEFAULT_SESSION`` on every start, so the first client of each
test builds a new botocore session: a new data loader that re-reads and re-parses the JSON
service models (``endpoints.json``, ``service-2.json``, the endpoint rule set), and ~1,300 event
handler registrations, each of which runs ``inspect.getfullargspec`` on the handler and splits
its event name against botocore's aliases. Together that is tens of milliseconds per test.

While the mock is active:

* every new botocore session gets the process's one loader for its data path (kept after stop,
  so later activations reuse what earlier ones loaded). A session sees exactly the files it
  would have read: the loader is keyed by the session's ``data_path`` setting, and each session
  gets its own search-path list (boto3 appends its resource models to it) over the shared cache.
* whether a handler accepts ``**kwargs`` is worked out once per function (botocore only ever
  asks to refuse one that does not; the answer for a function object never changes).
* event emitters with botocore's default aliases share one alias-name cache (each emitter had
  its own copy of the same mapping).

Credentials, region and configuration are still resolved per session as before: only parsed,
immutable-by-convention model data and pure function results are shared.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import weakref
from collections.abc import Callable
from typing import Any

from .services.patching import Patches

#: data_path setting → the loader every session with that setting shares (process-wide).
_loaders: dict[Any, Any] = {}
_loaders_lock = threading.Lock()
#: function → does it accept **kwargs (weak: closures made per session must not be kept alive).
_accepts: weakref.WeakKeyDictionary[Callable[..., Any], bool] = weakref.WeakKeyDictionary()
#: botocore's per-emitter alias cache for its default aliases, shared by every emitter.
_alias_names: dict[str, str] = {}


def shared_loader(data_path: Any) -> Any:
    """This process's botocore loader for ``data_path``, as a per-session view.

    The view is a shallow copy: it shares the parsed-model cache (``_cache``) and file loader of
    the one loader, but has its own search-path list, so boto3 appending its data directory to
    each new session's loader does not grow a list shared by every session.
    """
    from botocore.loaders import create_loader

    with _loaders_lock:
        loader = _loaders.get(data_path)
        if loader is None:
            loader = _loaders[data_path] = create_loader(data_path)
    view = copy.copy(loader)
    view._search_paths = list(loader._search_paths)
    return view


def install(patches: Patches) -> None:
    import botocore.hooks
    import botocore.session
    import botocore.utils

    def _register_data_loader(self: Any) -> None:
        self._components.lazy_register_component(
            "data_loader", lambda: shared_loader(self.get_config_variable("data_path"))
        )

    patches.set(botocore.session.Session, "_register_data_loader", _register_data_loader)

    accepts_kwargs = patches.original(botocore.hooks, "accepts_kwargs")

    def cached_accepts_kwargs(func: Any) -> bool:
        target = getattr(func, "__func__", func)  # a bound method: its function decides
        try:
            return _accepts[target]
        except (KeyError, TypeError):  # TypeError: not weak-referenceable, ask every time
            pass
        answer = bool(accepts_kwargs(func))
        with contextlib.suppress(TypeError):
            _accepts[target] = answer
        return answer

    patches.set(botocore.hooks, "accepts_kwargs", cached_accepts_kwargs)

    emitter_init = patches.original(botocore.hooks.EventAliaser, "__init__")
    default_aliases = botocore.utils.EVENT_ALIASES

    def __init__(self: Any, event_emitter: Any, event_aliases: Any = None) -> None:  # noqa: N807
        emitter_init(self, event_emitter, event_aliases)
        if self._event_aliases is default_aliases:
            self._alias_name_cache = _alias_names

    patches.set(botocore.hooks.EventAliaser, "__init__", __init__)
