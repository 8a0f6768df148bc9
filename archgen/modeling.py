"""Blueprint models: declared once, validated without pydantic, specified by pydantic.

A model is a class of typed fields, declared with pydantic's vocabulary: a
`Model` subclass whose annotations are the fields, `Field(...)` for defaults,
descriptions and `min_length`, `Annotated[...]` with `BeforeValidator`,
`AfterValidator` and `WithJsonSchema`, and the `field_validator` /
`model_validator` decorators. Every model is strict (no coercion) and refuses
unknown fields.

pydantic is the specification. `Model.pydantic()` builds the equivalent
pydantic v2 model (its "twin"), which gives the JSON Schema and, when a
blueprint is wrong, the errors users see. A clean blueprint never imports
pydantic: on first use each model compiles a validator for the types archgen
declares (str, int, float, bool, None, Literal, list, dict, unions, nested
models, before and after validators, min_length) that accepts what the twin
accepts and builds the same values. Whatever it refuses is validated again by
the twin, which says why; the twin's verdict stands. With `CROSS_CHECK` (the
test suite sets ARCHGEN_CROSS_CHECK=1) every validation runs both and fails
loudly when they disagree.

Why: importing pydantic and building its validators is most of a small
render's run time (see docs/speed.md).
"""

from __future__ import annotations

import os
import types
import typing
from typing import Annotated, Any, Callable, Literal, Union

CROSS_CHECK = bool(os.environ.get("ARCHGEN_CROSS_CHECK"))

_REQUIRED = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()
_IMMUTABLE = (int, float, str, bool, type(None), tuple, frozenset, bytes)


# --- the declaration vocabulary (pydantic's names) ---------------------------------


class FieldInfo:
    """A field's default, description and length constraint (pydantic.Field's subset archgen uses)."""

    __slots__ = ("annotation", "default", "default_factory", "description", "min_length")

    def __init__(self, default: Any = _REQUIRED, *, default_factory: Callable[[], Any] | None = None,
                 description: str | None = None, min_length: int | None = None):
        self.annotation: Any = None
        self.default = default
        self.default_factory = default_factory
        self.description = description
        self.min_length = min_length

    def is_required(self) -> bool:
        return self.default is _REQUIRED and self.default_factory is None

    def get_default(self) -> Any:
        if self.default_factory is not None:
            return self.default_factory()
        if isinstance(self.default, _IMMUTABLE):
            return self.default
        import copy

        return copy.deepcopy(self.default)  # as pydantic does: no instance shares a mutable default

    def merged(self, other: FieldInfo) -> FieldInfo:
        """This field with what `other` (a Field inside Annotated) sets."""
        out = FieldInfo()
        for slot in FieldInfo.__slots__:
            mine, theirs = getattr(self, slot), getattr(other, slot)
            setattr(out, slot, theirs if theirs not in (None, _REQUIRED) else mine)
        return out

    def pydantic_kwargs(self) -> dict:
        kwargs: dict[str, Any] = {}
        if self.default is not _REQUIRED:
            kwargs["default"] = self.default
        for slot in ("default_factory", "description", "min_length"):
            if getattr(self, slot) is not None:
                kwargs[slot] = getattr(self, slot)
        return kwargs


def Field(default: Any = _REQUIRED, **kwargs: Any) -> Any:  # noqa: N802 - pydantic's name
    return FieldInfo(default, **kwargs)


class _Marker:
    __slots__ = ("func",)

    def __init__(self, func: Callable) -> None:
        self.func = func

    def __repr__(self) -> str:
        return f"{type(self).__name__}({getattr(self.func, '__name__', self.func)})"


class BeforeValidator(_Marker):
    """Runs on the input before the type is checked; a ValueError refuses it."""


class AfterValidator(_Marker):
    """Runs on the checked value; a ValueError refuses it."""


class WithJsonSchema:
    """The JSON Schema of a type, instead of the one pydantic would derive."""

    __slots__ = ("json_schema",)

    def __init__(self, json_schema: dict) -> None:
        self.json_schema = json_schema


class _Decorated:
    __slots__ = ("kind", "fields", "mode", "func")

    def __init__(self, kind: str, fields: tuple, mode: str, func: Callable) -> None:
        self.kind, self.fields, self.mode, self.func = kind, fields, mode, func


def field_validator(*fields: str, mode: Literal["before", "after"] = "after") -> Callable:
    """A classmethod run on the named fields' values (before or after their type is checked)."""

    def mark(method: Any) -> _Decorated:
        func = method.__func__ if isinstance(method, classmethod) else method
        return _Decorated("field", fields, mode, func)

    return mark


def model_validator(*, mode: Literal["after"]) -> Callable:
    """A method run on the built model; it returns the model (and may complete it)."""
    if mode != "after":
        raise NotImplementedError("archgen declares after-validators on models only")

    def mark(func: Callable) -> _Decorated:
        return _Decorated("model", (), mode, func)

    return mark


class ValidationError(ValueError):
    """A value the model refuses, with pydantic's errors (type, loc, msg, input)."""

    def __init__(self, model: str, errors: list[dict]):
        super().__init__(f"{len(errors)} validation error(s) for {model}")
        self._errors = errors

    def errors(self, include_url: bool = False) -> list[dict]:
        return list(self._errors)


# --- models --------------------------------------------------------------------------


class _Invalid(Exception):
    """The fast validator refuses a value (the twin says why)."""


class _ModelMeta(type):
    def __new__(mcs, name, bases, namespace):
        decorated = {k: v for k, v in namespace.items() if isinstance(v, _Decorated)}
        for key in decorated:
            del namespace[key]
        cls = super().__new__(mcs, name, bases, namespace)
        cls._decorated = {**getattr(cls, "_decorated", {}), **decorated}
        cls._plan = None
        cls._twin = None
        return cls

    @property
    def model_fields(cls) -> dict[str, FieldInfo]:
        return _plan(cls).fields


class Model(metaclass=_ModelMeta):
    """Base of every blueprint model: strict, unknown fields refused."""

    _decorated: dict = {}

    def __init__(self, **data: Any) -> None:
        self.__dict__.update(type(self).model_validate(data).__dict__)

    @classmethod
    def model_validate(cls, data: Any) -> Any:
        try:
            fast = _plan(cls).validate(data)
        except _Invalid:
            fast = _Invalid
        if fast is not _Invalid and not CROSS_CHECK:
            return fast
        twin = cls.pydantic()
        import pydantic

        try:
            checked = twin.model_validate(data)
        except pydantic.ValidationError as exc:
            if fast is not _Invalid:
                raise AssertionError(f"{cls.__name__}: archgen's validator accepts what pydantic refuses: {data!r}\n{exc}") from None
            raise ValidationError(cls.__name__, exc.errors(include_url=False)) from None
        result = _from_twin(checked)
        if CROSS_CHECK:
            if fast is _Invalid:
                raise AssertionError(f"{cls.__name__}: archgen's validator refuses what pydantic accepts: {data!r}")
            if dump(fast) != dump(result):
                raise AssertionError(f"{cls.__name__}: archgen's validator and pydantic disagree on {data!r}:\n{dump(fast)!r}\n{dump(result)!r}")
        return result

    @classmethod
    def pydantic(cls) -> Any:
        """The pydantic v2 model this one is declared to be."""
        if cls.__dict__.get("_twin") is None:
            cls._twin = _make_twin(cls)
        return cls._twin

    @classmethod
    def model_json_schema(cls, **kwargs: Any) -> dict:
        return cls.pydantic().model_json_schema(**kwargs)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"


def dump(value: Any) -> Any:
    """Plain data of a validated value, with the type of every scalar (to compare two validations)."""
    if isinstance(value, Model):
        return (type(value).__name__, {k: dump(v) for k, v in value.__dict__.items()})
    if isinstance(value, list):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    return (type(value).__name__, value)


# --- the fast validator ----------------------------------------------------------------


class _Plan:
    """A model's fields, in pydantic's order, and a compiled check for each."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        hints = typing.get_type_hints(cls, include_extras=True)
        fields: dict[str, FieldInfo] = {}
        for klass in reversed(cls.__mro__):
            if not (isinstance(klass, _ModelMeta) and klass is not Model):
                continue
            for name in klass.__dict__.get("__annotations__", {}):
                if name.startswith("_"):
                    continue
                hint = hints[name]
                declared = klass.__dict__.get(name, _REQUIRED)
                info = declared if isinstance(declared, FieldInfo) else FieldInfo(declared)
                if typing.get_origin(hint) is Annotated:
                    for meta in typing.get_args(hint)[1:]:
                        if isinstance(meta, FieldInfo):
                            info = info.merged(meta)
                fields[name] = info = info.merged(FieldInfo())  # a copy: a class attribute is not this field
                info.annotation = hint
        self.fields = fields
        self.model_after = [m.func for m in cls._decorated.values() if m.kind == "model"]
        self.checks: list[tuple[str, Callable, FieldInfo]] | None = None

    def _compile(self) -> list[tuple[str, Callable, FieldInfo]]:
        """Each field's check: its type, then its length, then the class's field validators around
        them (after-validators, then before-validators outermost, as pydantic orders them)."""
        markers = [m for m in self.cls._decorated.values() if m.kind == "field"]
        checks = []
        for name, info in self.fields.items():
            check = _compile(info.annotation)
            if info.min_length is not None:
                check = _min_length(check, info.min_length)
            for mode, wrap in (("after", _after), ("before", _before)):
                for m in markers:
                    if m.mode == mode and name in m.fields:
                        check = wrap(check, m.func, self.cls)
            checks.append((name, check, info))
        return checks

    def validate(self, data: Any) -> Any:
        cls = self.cls
        if type(data) is cls:
            return data
        if not isinstance(data, dict):
            raise _Invalid
        checks = self.checks
        if checks is None:
            checks = self.checks = self._compile()
        fields = self.fields
        for key in data:
            if type(key) is not str or key not in fields:  # (a YAML key may be a number, or unhashable)
                raise _Invalid
        values = {}
        for name, check, info in checks:
            if name in data:
                values[name] = check(data[name])
            elif info.is_required():
                raise _Invalid
            else:
                values[name] = info.get_default()
        obj = object.__new__(cls)
        obj.__dict__.update(values)
        for func in self.model_after:
            obj = _guard(func, obj)
        return obj


def _plan(cls: type) -> _Plan:
    plan = cls.__dict__.get("_plan")
    if plan is None:
        plan = _Plan(cls)
        cls._plan = plan
    return plan


def _guard(func: Callable, *args: Any) -> Any:
    try:
        return func(*args)
    except (ValueError, AssertionError):
        raise _Invalid from None


def _min_length(check: Callable, n: int) -> Callable:
    def run(value):
        value = check(value)
        if len(value) < n:
            raise _Invalid
        return value

    return run


def _before(check: Callable, func: Callable, *bound: Any) -> Callable:
    """`check` after `func` (a validator; `bound`: the class, for a field validator)."""
    return lambda value: check(_guard(func, *bound, value))


def _after(check: Callable, func: Callable, *bound: Any) -> Callable:
    """`func` after `check`."""
    return lambda value: _guard(func, *bound, check(value))


def _is_str(value):
    if isinstance(value, str):
        return value
    raise _Invalid


def _is_int(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _Invalid


def _is_float(value):
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    raise _Invalid


def _is_bool(value):
    if value is True or value is False:
        return value
    raise _Invalid


def _is_none(value):
    if value is None:
        return value
    raise _Invalid


def _anything(value):
    return value


_SCALARS = {str: _is_str, int: _is_int, float: _is_float, bool: _is_bool, type(None): _is_none, Any: _anything, object: _anything}
_EXACT = {str: str, int: int, float: float, bool: bool, type(None): type(None)}


def _compile(tp: Any) -> Callable[[Any], Any]:
    """A function that returns the validated value of an input, or raises _Invalid."""
    if tp in _SCALARS:
        return _SCALARS[tp]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Annotated:
        check = _compile(args[0])
        for meta in args[1:]:  # each one wraps the checks before it, as in pydantic
            if isinstance(meta, BeforeValidator):
                check = _before(check, meta.func)
            elif isinstance(meta, AfterValidator):
                check = _after(check, meta.func)
            elif isinstance(meta, FieldInfo) and meta.min_length is not None:
                check = _min_length(check, meta.min_length)
        return check
    if origin is Literal:
        allowed = args

        def literal(value):
            for choice in allowed:
                if type(value) is type(choice) and value == choice:
                    return choice
            raise _Invalid

        return literal
    if origin in (Union, types.UnionType):
        return _union(args)
    if tp is list or origin is list:
        item = _compile(args[0]) if args else _anything

        def as_list(value):
            if not isinstance(value, list):
                raise _Invalid
            return [item(v) for v in value]

        return as_list
    if tp is dict or origin is dict:
        key, val = (_compile(args[0]), _compile(args[1])) if args else (_anything, _anything)

        def as_dict(value):
            if not isinstance(value, dict):
                raise _Invalid
            return {key(k): val(v) for k, v in value.items()}

        return as_dict
    if isinstance(tp, _ModelMeta):
        return lambda value: _plan(tp).validate(value)
    raise TypeError(f"archgen's validator has no rule for the type {tp!r}: add one to archgen/modeling.py")


def _exact_type(tp: Any) -> type | None:
    """The one input type a union member takes exactly (pydantic's smart mode prefers it)."""
    if typing.get_origin(tp) is Annotated:
        return None
    if tp in _EXACT:
        return _EXACT[tp]
    if tp is list or typing.get_origin(tp) is list:
        return list
    if tp is dict or typing.get_origin(tp) is dict:
        return dict
    return None


def _union(members: tuple) -> Callable:
    checks = [(_compile(m), _exact_type(m)) for m in members]

    def union(value):
        found = _Invalid
        for check, exact in checks:
            try:
                result = check(value)
            except _Invalid:
                continue
            if exact is type(value):
                return result
            if found is _Invalid:
                found = result
        if found is _Invalid:
            raise _Invalid
        return found

    return union


# --- the pydantic twin -----------------------------------------------------------------


def _make_twin(cls: type) -> Any:
    import pydantic

    plan = _plan(cls)
    namespace: dict[str, Any] = {
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__dict__.get("__doc__"),
        "__annotations__": {},
        "model_config": pydantic.ConfigDict(extra="forbid", strict=True, populate_by_name=True, defer_build=True),
    }
    for name, info in plan.fields.items():
        namespace["__annotations__"][name] = _to_pydantic(info.annotation)
        namespace[name] = pydantic.Field(**info.pydantic_kwargs())
    for key, marker in cls._decorated.items():
        if marker.kind == "field":
            namespace[key] = pydantic.field_validator(*marker.fields, mode=marker.mode)(classmethod(marker.func))
        else:
            namespace[key] = pydantic.model_validator(mode=marker.mode)(marker.func)
    twin = type(pydantic.BaseModel)(cls.__name__, (pydantic.BaseModel,), namespace)
    twin.__archgen_model__ = cls
    return twin


def _to_pydantic(tp: Any) -> Any:
    """An annotation with archgen's models and markers replaced by pydantic's."""
    import pydantic

    if isinstance(tp, _ModelMeta):
        return tp.pydantic()
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Annotated:
        meta = []
        for m in args[1:]:
            if isinstance(m, BeforeValidator):
                meta.append(pydantic.BeforeValidator(m.func))
            elif isinstance(m, AfterValidator):
                meta.append(pydantic.AfterValidator(m.func))
            elif isinstance(m, WithJsonSchema):
                meta.append(pydantic.WithJsonSchema(m.json_schema))
            elif isinstance(m, FieldInfo):
                meta.append(pydantic.Field(**m.pydantic_kwargs()))
            else:
                meta.append(m)
        return Annotated[(_to_pydantic(args[0]), *meta)]
    if origin in (Union, types.UnionType):
        return Union[tuple(_to_pydantic(a) for a in args)]
    if origin is list:
        return list[_to_pydantic(args[0])]
    if origin is dict:
        return dict[_to_pydantic(args[0]), _to_pydantic(args[1])]
    return tp


def _from_twin(value: Any) -> Any:
    """A twin's validated value as archgen's models."""
    model = getattr(type(value), "__archgen_model__", None)
    if model is not None:
        obj = object.__new__(model)
        obj.__dict__.update({k: _from_twin(v) for k, v in value.__dict__.items()})
        return obj
    if isinstance(value, list):
        return [_from_twin(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_twin(v) for k, v in value.items()}
    return value

