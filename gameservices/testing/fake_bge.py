"""A fake ``bge`` module: enough of UPBGE's Python API to drive controllers and components headless.

Use it to test game scripts written for UPBGE without Blender::

    with fake_bge(tic_rate=60) as game:
        cube = game.add_object("Cube", controller="leaderboard.on_frame", keyboard="SPACEKEY")
        label = game.add_text("Top10")
        game.run(frames=10)              # sensors pulse, controllers run, components update
        game.press(cube, "SPACEKEY")    # the keyboard sensor is positive on the next frame
        game.end()                       # disposes components, removes the scene

Invariants: ``fake_bge()`` installs ``bge``, ``bge.logic``, ``bge.types`` and ``bge.events`` into
``sys.modules`` and restores what was there on exit (and forgets modules imported against the
fake, such as ``gameservices.engines.bge``). Each frame runs controllers first, then components,
as UPBGE does. Ended objects report ``invalid`` and refuse other attribute access, like
``KX_GameObject``; they cannot be weak-referenced either.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

__all__ = ["FakeGame", "fake_bge"]

_FORGET_PREFIXES = ("bge", "gameservices.engines.bge")


class _EndedError(SystemError):
    """What UPBGE raises when a script touches an object that ended."""


class KX_PythonComponent:  # UPBGE's class name
    args: ClassVar[Any] = {}

    def __init__(self, obj: KX_GameObject) -> None:
        self.object = obj

    def start(self, args: dict[str, Any]) -> None:
        """Called once with the component's args before its first update."""

    def update(self) -> None:
        """Called every logic tick."""

    def dispose(self) -> None:
        """Called when the object ends or the game ends."""


class SCA_ISensor:
    def __init__(self, name: str) -> None:
        self.name = name
        self.positive = False
        self.usePosPulseMode = False


class SCA_AlwaysSensor(SCA_ISensor):
    def __init__(self, name: str = "Always") -> None:
        super().__init__(name)
        self.positive = True
        self.usePosPulseMode = True


class SCA_KeyboardSensor(SCA_ISensor):
    def __init__(self, name: str, key: int) -> None:
        super().__init__(name)
        self.key = key


class SCA_PythonController:
    """A Module-mode controller: ``script`` is ``"module.function"`` or a callable."""

    def __init__(self, owner: KX_GameObject, script: str | Callable[[Any], object]) -> None:
        self.owner = owner
        self.script = script
        self.sensors: dict[str, SCA_ISensor] = {}
        self.actuators: dict[str, Any] = {}

    def run(self) -> None:
        fn = self.script
        if isinstance(fn, str):
            module, _, name = fn.rpartition(".")
            fn = getattr(importlib.import_module(module), name)
        fn(self)


class KX_GameObject:
    __slots__ = ("_props", "components", "controllers", "invalid", "name")

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "invalid", False)
        self.name = name
        self._props: dict[str, Any] = {}
        self.controllers: list[SCA_PythonController] = []
        self.components: list[KX_PythonComponent] = []

    def __getattribute__(self, attr: str) -> Any:
        if attr != "invalid" and object.__getattribute__(self, "invalid"):
            raise _EndedError(f"object {attr!r} access on an ended KX_GameObject")
        return object.__getattribute__(self, attr)

    def __getitem__(self, key: str) -> Any:
        return self._props[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._props[key] = value

    def __contains__(self, key: str) -> bool:
        return key in self._props

    def get(self, key: str, default: Any = None) -> Any:
        return self._props.get(key, default)

    def endObject(self) -> None:  # UPBGE's method name
        for component in self.components:
            component.dispose()
        object.__setattr__(self, "invalid", True)


class KX_FontObject(KX_GameObject):
    __slots__ = ("text",)

    def __init__(self, name: str, text: str = "") -> None:
        super().__init__(name)
        self.text = text


class CListValue(list["KX_GameObject"]):
    """UPBGE's object list: indexable by position or by name, with ``get(name)``."""

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            found = self.get(key)
            if found is None:
                raise KeyError(key)
            return found
        return super().__getitem__(key)

    def get(self, name: str, default: Any = None) -> Any:
        return next((o for o in self if not o.invalid and o.name == name), default)


class SCA_InputEvent:
    """One key of ``bge.logic.keyboard.inputs``: ``activated`` on the frame it went down."""

    def __init__(self) -> None:
        self.activated = self.active = self.released = False


class SCA_PythonKeyboard:
    def __init__(self, codes: list[int]) -> None:
        self.inputs = {code: SCA_InputEvent() for code in codes}

    @property
    def activeInputs(self) -> dict[int, SCA_InputEvent]:  # UPBGE's name
        return {code: e for code, e in self.inputs.items() if e.active}


class KX_Scene:
    def __init__(self, name: str) -> None:
        self.name = name
        self.objects = CListValue()
        self.onRemove: list[Callable[[KX_Scene], object]] = []

    def get(self, name: str) -> KX_GameObject | None:
        found: KX_GameObject | None = self.objects.get(name)
        return found


class FakeGame:
    """The running game: one scene, a frame loop, and the installed ``bge`` modules."""

    def __init__(self, tic_rate: float = 60.0) -> None:
        self.tic_rate = tic_rate
        self.scene = KX_Scene("Scene")
        self.scenes = [self.scene]
        self.frame = 0
        self.ended = False
        self.current: SCA_PythonController | None = None
        self._unstarted: dict[int, dict[str, Any]] = {}  # component id -> its start() args
        self._pressed: dict[tuple[int, int], bool] = {}
        self.events = types.SimpleNamespace(
            **{f"{c}KEY": 100 + i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")},
            SPACEKEY=32,
            ENTERKEY=13,
            ESCKEY=27,
        )
        self.keyboard = SCA_PythonKeyboard(list(vars(self.events).values()))
        self.modules = self._build_modules()

    def _build_modules(self) -> dict[str, types.ModuleType]:
        logic = _module("bge.logic", {
            "getLogicTicRate": lambda: self.tic_rate,
            "setLogicTicRate": self._set_rate,
            "getCurrentController": lambda: self.current,
            "getCurrentScene": lambda: self.scene,
            "getSceneList": lambda: list(self.scenes),
            "endGame": self.end,
            "globalDict": {},
            "keyboard": self.keyboard,
            "expandPath": _expand_path,
        })  # fmt: skip
        classes = (KX_PythonComponent, KX_GameObject, KX_FontObject, KX_Scene, SCA_PythonController,
                   SCA_ISensor, SCA_AlwaysSensor, SCA_KeyboardSensor)  # fmt: skip
        bge_types = _module("bge.types", {cls.__name__: cls for cls in classes})
        events = _module("bge.events", vars(self.events))
        bge = _module("bge", {"logic": logic, "types": bge_types, "events": events})
        return {m.__name__: m for m in (bge, logic, bge_types, events)}

    def _set_rate(self, rate: float) -> None:
        self.tic_rate = float(rate)

    # --- building the scene --------------------------------------------------------------

    def add_object(
        self,
        name: str,
        *,
        controller: str | Callable[[Any], object] | None = None,
        keyboard: str | None = None,
        components: tuple[type[KX_PythonComponent], ...] = (),
        args: dict[str, Any] | None = None,
    ) -> KX_GameObject:
        """An object with an optional Module-mode controller fed by an Always sensor (pulse on)
        and, if ``keyboard`` names a key, a keyboard sensor called ``"Keyboard"``."""
        obj = KX_GameObject(name)
        self._attach(obj, controller, keyboard, components, args)
        return obj

    def add_text(self, name: str, text: str = "") -> KX_FontObject:
        obj = KX_FontObject(name, text)
        self.scene.objects.append(obj)
        return obj

    def _attach(
        self,
        obj: KX_GameObject,
        controller: str | Callable[[Any], object] | None,
        keyboard: str | None,
        components: tuple[type[KX_PythonComponent], ...],
        args: dict[str, Any] | None,
    ) -> None:
        if controller is not None:
            cont = SCA_PythonController(obj, controller)
            cont.sensors["Always"] = SCA_AlwaysSensor()
            if keyboard is not None:
                cont.sensors["Keyboard"] = SCA_KeyboardSensor("Keyboard", self.key(keyboard))
            obj.controllers.append(cont)
        for cls in components:
            component = cls(obj)
            defaults = {k: _default(v) for k, v in dict(getattr(cls, "args", {})).items()}
            self._unstarted[id(component)] = {**defaults, **(args or {})}
            obj.components.append(component)
        self.scene.objects.append(obj)

    def key(self, name: str) -> int:
        code: int = getattr(self.events, name)
        return code

    def press(self, obj: KX_GameObject | None, key: str) -> None:
        """Press ``key`` for the next frame only: ``obj``'s keyboard sensor (if any) is positive
        and ``bge.logic.keyboard.inputs[key].activated`` is true."""
        code = self.key(key)
        if obj is not None:
            self._pressed[(id(obj), code)] = True
        event = self.keyboard.inputs[code]
        event.activated = event.active = True

    # --- running -------------------------------------------------------------------------

    def run(self, frames: int = 1, between: Callable[[int], object] | None = None) -> None:
        """Run ``frames`` logic ticks; ``between(frame)`` runs after each (tests poke state)."""
        for _ in range(frames):
            self.step()
            if between is not None:
                between(self.frame)

    def step(self) -> None:
        if self.ended:
            raise RuntimeError("the fake game has ended")
        for obj in [o for o in self.scene.objects if not o.invalid]:
            self._run_controllers(obj)
        for obj in [o for o in self.scene.objects if not o.invalid]:
            self._run_components(obj)
        self._pressed.clear()
        for event in self.keyboard.inputs.values():
            event.activated = event.active = False
        self.frame += 1

    def _run_controllers(self, obj: KX_GameObject) -> None:
        for cont in obj.controllers:
            for sensor in cont.sensors.values():
                if isinstance(sensor, SCA_KeyboardSensor):
                    sensor.positive = self._pressed.get((id(obj), sensor.key), False)
            self.current = cont
            try:
                cont.run()
            finally:
                self.current = None

    def _run_components(self, obj: KX_GameObject) -> None:
        for component in obj.components:
            start_args = self._unstarted.pop(id(component), None)
            if start_args is not None:
                component.start(start_args)
            component.update()

    def end(self) -> None:
        """End the game: dispose components, end objects, remove the scene (onRemove runs)."""
        if self.ended:
            return
        self.ended = True
        for obj in [o for o in self.scene.objects if not o.invalid]:
            obj.endObject()
        scene, self.scenes = self.scene, []
        for callback in list(scene.onRemove):
            callback(scene)


def _expand_path(path: str) -> str:
    """``bge.logic.expandPath``: ``//`` is the .blend file's folder; here, the working one."""
    return os.path.join(os.getcwd(), path[2:]) if path.startswith("//") else path


def _module(name: str, attrs: dict[str, Any]) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


def _default(value: Any) -> Any:
    """UPBGE turns a set arg into a drop-down whose first (sorted) entry is selected."""
    return sorted(value)[0] if isinstance(value, (set, frozenset)) else value


@contextlib.contextmanager
def fake_bge(tic_rate: float = 60.0, forget: tuple[str, ...] = ()) -> Iterator[FakeGame]:
    """Install a fake ``bge`` for the duration of the block; yields the game that drives it.

    Modules named in ``forget`` (and ``bge`` and ``gameservices.engines.bge``) are dropped from
    ``sys.modules`` on entry and exit, so game scripts import afresh against this fake.
    """
    game = FakeGame(tic_rate)
    prefixes = _FORGET_PREFIXES + tuple(forget)
    saved = {k: v for k, v in sys.modules.items() if k.startswith(prefixes)}
    for name in saved:
        del sys.modules[name]
    sys.modules.update(game.modules)
    try:
        yield game
    finally:
        game.end()
        for name in [k for k in sys.modules if k.startswith(prefixes)]:
            del sys.modules[name]
        sys.modules.update(saved)
