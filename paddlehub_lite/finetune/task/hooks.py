"""``Hooks``: PaddleHub 1.5's event hooks of a task (``add_hook`` / ``delete_hook`` /
``modify_hook`` / ``hooks_info``): for each event, named functions called in the order they
were added as ``func(task, **info)``. A plain dict of dicts on the task instance (nothing is
patched on the class, so two tasks never share hooks)."""
from typing import Callable, Dict, Optional

EVENTS = ("finetune_start", "finetune_end", "eval_end", "log_interval", "save_ckpt",
          "predict_end")


class Hooks(dict):
    """``{event: {name: func}}`` for every event of ``EVENTS``."""

    def __init__(self):
        super().__init__({event: {} for event in EVENTS})

    def _check(self, event: str) -> Dict[str, Callable]:
        if event not in self:
            raise ValueError("unknown event %r: use one of %s" % (event, ", ".join(EVENTS)))
        return self[event]

    def add(self, event: str, func: Callable, name: Optional[str] = None) -> str:
        """Add ``func`` under ``name`` (default: a name of its own, so unnamed hooks never
        replace each other); returns the name."""
        hooks = self._check(event)
        if not callable(func):
            raise TypeError("a hook must be callable, got %r" % (func,))
        if name is None:
            name = "%s_%d" % (getattr(func, "__name__", "hook"), len(hooks))
        hooks[name] = func
        return name

    def delete(self, event: str, name: str) -> None:
        hooks = self._check(event)
        if name not in hooks:
            raise KeyError("no %s hook named %r (there are: %s)"
                           % (event, name, ", ".join(hooks) or "none"))
        del hooks[name]

    def modify(self, event: str, name: str, func: Callable) -> None:
        """Replace the function of an existing hook, keeping its place in the order."""
        hooks = self._check(event)
        if name not in hooks:
            raise KeyError("no %s hook named %r (there are: %s)"
                           % (event, name, ", ".join(hooks) or "none"))
        hooks[name] = func

    def info(self) -> str:
        """One line per event with its hooks' names, in calling order."""
        return "\n".join("%s: %s" % (event, ", ".join(self[event]) or "-") for event in EVENTS)

    def fire(self, task, event: str, **info) -> None:
        for func in list(self._check(event).values()):
            func(task, **info)


class HookMethods:
    """PaddleHub 1.5's hook API of a task (whose ``hooks`` is a ``Hooks``)."""

    def add_hook(self, event: str, func: Callable = None, name: Optional[str] = None) -> str:
        """Call ``func(task, **info)`` at ``event`` (one of ``EVENTS``); returns the hook's
        name. 1.5's argument order ``add_hook(event, name, func)`` is accepted too."""
        if isinstance(func, str) and callable(name):
            func, name = name, func
        return self.hooks.add(event, func, name)

    def delete_hook(self, event: str, name: str) -> None:
        self.hooks.delete(event, name)

    def modify_hook(self, event: str, name: str, func: Callable) -> None:
        self.hooks.modify(event, name, func)

    def hooks_info(self, show_default: bool = False) -> str:
        """The hooks of each event, by name (``show_default`` is accepted for 1.5: this
        library installs no default hooks)."""
        return self.hooks.info()

    def _fire(self, event: str, **info) -> None:
        self.hooks.fire(self, event, **info)
