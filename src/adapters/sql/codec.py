"""Rows from attrs fields: a `RowCodec` encodes an object to its table's row and decodes it back.

Each field is, by default, the column of its name, stored as it is. Overrides say where the row
differs from the field:

- `column(name, store=, load=)`: a renamed column, or a value converted on its way (tuples as
  JSON lists, a Decimal as text); `or_default=True` reads NULL as the field's default.
- `by_value(Enum)`: an enum stored by its `.value`.
- `money(amount, currency=)`: Money as an integer `<name>_amount` next to a currency column,
  which several amounts may share (`from_parent=True`: the currency is the root row's).
- `flat(Class, prefix=)`: a frozen value object flattened into columns of the same row.
- `children(table, Class)`, `child_values(table, column)`: a collection in a child table, one
  row per element in position order; the codec fills in the parent key and `position`. Inside a
  child, `children(..., link=(column, field))` stores a collection of each element in a table of
  the root, its rows marked with the element's `field`.
- `IGNORED`: not stored (an aggregate's recorded events); it reads back as the field's default.

Fields and columns must correspond exactly: building a codec whose fields (after overrides) and
columns do not match raises `MappingMismatch`, so a field without a column, or a column without a
field, fails when the module is imported. Columns that other statements own (usage counters) are
named in `not_mapped`; columns written from a property are named in `computed`.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import attrs
import sqlalchemy as sa

from commerce_core.shared.money import Money

T = TypeVar("T")
Row = sa.Row[Any]
Values = dict[str, object]
ChildRows = dict[str, list[Values]]  # child table name → rows, in position order
LoadedChildren = Mapping[str, Sequence[Row]]
_Grouped = dict[str, dict[object, list[Row]]]  # linked child table → owner's value → rows


class MappingMismatch(TypeError):
    """A codec's fields and its table's columns do not correspond."""


# -- overrides ------------------------------------------------------------------------------------
@attrs.frozen
class Column:
    name: str | None = None
    store: Callable[[Any], Any] | None = None
    load: Callable[[Any], Any] | None = None
    or_default: bool = False


@attrs.frozen
class MoneyColumns:
    amount: str | None
    currency: str
    from_parent: bool


@attrs.frozen
class Flat:
    cls: type[Any]
    prefix: str
    optional: bool
    or_default: bool
    fields: Mapping[str, Field]
    computed: Mapping[str, Callable[[Any], object]]


@attrs.frozen
class Children:
    table: sa.Table
    cls: type[Any] | None
    column: str | None
    link: tuple[str, str] | None
    fields: Mapping[str, Field]


class _Ignored:
    def __repr__(self) -> str:
        return "IGNORED"


IGNORED = _Ignored()
Field = Column | MoneyColumns | Flat | Children | _Ignored


def column(
    name: str | None = None,
    *,
    store: Callable[[Any], Any] | None = None,
    load: Callable[[Any], Any] | None = None,
    or_default: bool = False,
) -> Column:
    """The field in column `name` (its own name by default); `store` and `load` convert a value
    that is not None; `or_default` reads NULL as the field's default."""
    return Column(name, store, load, or_default)


def by_value(enum: Callable[[Any], Any], name: str | None = None) -> Column:
    return Column(name, _value, enum)


def _value(member: Any) -> Any:
    return member.value


AS_JSON_LIST = Column(store=list, load=tuple)  # a tuple of plain values in a JSON column


def money(amount: str | None = None, *, currency: str = "currency",
          from_parent: bool = False) -> MoneyColumns:
    """Money in column `amount` (`<name>_amount` by default) and `currency`; None when either is
    NULL. With `from_parent` the currency is read from the root row (a child table has none)."""
    return MoneyColumns(amount, currency, from_parent)


def flat(cls: type[Any], *, prefix: str = "", optional: bool = False, or_default: bool = False,
         computed: Mapping[str, Callable[[Any], object]] | None = None,
         **fields: Field) -> Flat:
    """A value object in columns `<prefix><field>` of the same row (explicit names are taken as
    they are). `optional`: None is every column NULL, and any NULL column reads as None.
    `or_default`: NULL columns read as the fields' defaults (also in nested objects that are not
    optional)."""
    return Flat(cls, prefix, optional, or_default, fields, computed or {})


def children(table: sa.Table, cls: type[Any], *, link: tuple[str, str] | None = None,
             **fields: Field) -> Children:
    """A collection of `cls` in `table`, one row per element. `link=(column, field)` is for a
    collection inside a child: the rows go to a table of the root, `column` holding the owning
    element's `field`."""
    return Children(table, cls, None, link, fields)


def child_values(table: sa.Table, column: str) -> Children:
    """A collection of plain values in `column` of `table`."""
    return Children(table, None, column, None, {})


# -- compiled parts -------------------------------------------------------------------------------
class _Part(Protocol):
    @property
    def owned(self) -> tuple[str, ...]: ...  # columns only this part writes

    @property
    def shared(self) -> tuple[str, ...]: ...  # columns several parts may write: a currency

    def store(self, value: Any, row: Values) -> None: ...

    def load(self, row: Row, root: Row) -> Any: ...


@attrs.frozen
class _Scalar:
    column: str
    to_row: Callable[[Any], Any] | None
    from_row: Callable[[Any], Any] | None
    shared: tuple[str, ...] = ()

    @property
    def owned(self) -> tuple[str, ...]:
        return (self.column,)

    def store(self, value: Any, row: Values) -> None:
        row[self.column] = value if value is None or self.to_row is None else self.to_row(value)

    def load(self, row: Row, root: Row) -> Any:
        value = getattr(row, self.column)
        return value if value is None or self.from_row is None else self.from_row(value)


@attrs.frozen
class _Money:
    amount: str
    currency: str
    from_parent: bool

    @property
    def owned(self) -> tuple[str, ...]:
        return (self.amount,)

    @property
    def shared(self) -> tuple[str, ...]:
        return () if self.from_parent else (self.currency,)

    def store(self, value: Money | None, row: Values) -> None:
        row[self.amount] = None if value is None else value.amount
        if self.from_parent:
            return
        if value is not None:
            row[self.currency] = value.currency
        else:
            row.setdefault(self.currency, None)

    def load(self, row: Row, root: Row) -> Money | None:
        amount = getattr(row, self.amount)
        currency = getattr(root if self.from_parent else row, self.currency)
        return None if amount is None or currency is None else Money(amount, currency)


@attrs.frozen
class _Flat:
    shape: _Shape
    optional: bool
    owned: tuple[str, ...]
    shared: tuple[str, ...]

    def store(self, value: Any, row: Values) -> None:
        if value is not None:
            self.shape.store(value, row)
            return
        row.update(dict.fromkeys(self.owned))
        for name in self.shared:
            row.setdefault(name, None)

    def load(self, row: Row, root: Row) -> Any:
        if self.optional and any(getattr(row, name) is None for name in self.owned):
            return None
        return self.shape.load(row, root, {}, {})


@attrs.frozen
class _Collection:
    field: str
    table: sa.Table
    parent: str  # the column keying the root
    codec: RowCodec[Any] | None  # None: plain values in `column`
    column: str
    link: tuple[str, str] | None
    into: Callable[[list[Any]], Any]  # list or tuple, as the field is annotated


@attrs.frozen
class _Shape:
    """How one attrs class maps to columns of a row (and its collections to child tables)."""

    cls: type[Any]
    plain: tuple[tuple[str, str], ...]  # field name → its column, the value as it is
    parts: tuple[tuple[str, _Part], ...]  # field name → its columns, otherwise
    computed: tuple[tuple[str, Callable[[Any], object]], ...]  # column → its value of the object
    collections: tuple[_Collection, ...]
    or_default: frozenset[str]  # fields whose NULL reads as their default
    # Encoding and decoding, written out for this shape (see `_compile`): they run for every row.
    store: Callable[[Any, Values], None] = attrs.field(default=None, eq=False, repr=False)
    load: Callable[[Row, Row, LoadedChildren, _Grouped], Any] = attrs.field(
        default=None, eq=False, repr=False)

    @property
    def owned(self) -> tuple[str, ...]:
        return (*(c for _, c in self.plain), *(c for _, p in self.parts for c in p.owned),
                *(c for c, _ in self.computed))

    @property
    def shared(self) -> tuple[str, ...]:
        return tuple(c for _, p in self.parts for c in p.shared)

    def load_collections(self, values: Values, root: Row, loaded: LoadedChildren,
                         grouped: _Grouped) -> None:
        for c in self.collections:
            rows = (loaded[c.table.name] if c.link is None
                    else grouped[c.table.name].get(values[c.link[1]], []))
            if c.codec is None:
                values[c.field] = c.into([getattr(r, c.column) for r in rows])
            else:
                load = c.codec.shape.load
                values[c.field] = c.into([load(r, root, loaded, grouped) for r in rows])


def _compile(shape: _Shape) -> _Shape:
    """`shape` with its `store` and `load` written out as Python source, field by field, and
    compiled once: plain columns, Money and converted scalars inline, other parts called. The
    same steps in the same order as the parts' own `store` and `load`."""
    scope: dict[str, Any] = {"cls": shape.cls, "Money": Money, "getattr": getattr,
                             "collections": shape.load_collections}
    store = ["def store(obj, row):"]
    load = ["def load(row, root, loaded, grouped):"]
    load.append("    values = {" + ", ".join(
        f"{name!r}: {_attribute('row', column)}" for name, column in shape.plain) + "}")
    for name, column in shape.plain:
        store.append(f"    row[{column!r}] = {_attribute('obj', name)}")
    for n, (name, part) in enumerate(shape.parts):
        scope[f"part{n}"] = part
        store.append(f"    v = {_attribute('obj', name)}")
        keep = f"    values[{name!r}] = v"
        if name in shape.or_default:
            keep = f"    if v is not None:\n    {keep}"
        if isinstance(part, _Money):
            amount, currency = part.amount, part.currency
            store.append(f"    row[{amount!r}] = None if v is None else v.amount")
            if not part.from_parent:
                store.append(f"    if v is not None:\n        row[{currency!r}] = v.currency")
                store.append(f"    else:\n        row.setdefault({currency!r}, None)")
            load.append(f"    a = {_attribute('row', amount)}")
            load.append(f"    c = {_attribute('root' if part.from_parent else 'row', currency)}")
            load.append("    v = None if a is None or c is None else Money(a, c)")
        elif isinstance(part, _Scalar):
            scope[f"to{n}"], scope[f"from{n}"] = part.to_row, part.from_row
            store.append(f"    row[{part.column!r}] = v" if part.to_row is None else
                         f"    row[{part.column!r}] = v if v is None else to{n}(v)")
            load.append(f"    v = {_attribute('row', part.column)}")
            if part.from_row is not None:
                load.append(f"    if v is not None:\n        v = from{n}(v)")
        else:
            store.append(f"    part{n}.store(v, row)")
            load.append(f"    v = part{n}.load(row, root)")
        load.append(keep)
    for n, (column, _) in enumerate(shape.computed):
        scope[f"compute{n}"] = shape.computed[n][1]
        store.append(f"    row[{column!r}] = compute{n}(obj)")
    if shape.collections:
        load.append("    collections(values, root, loaded, grouped)")
    load.append("    return cls(**values)")
    store.append("    return None")
    code = "\n".join(store) + "\n" + "\n".join(load)
    exec(compile(code, f"<row codec of {shape.cls.__qualname__}>", "exec"), scope)
    return attrs.evolve(shape, store=scope["store"], load=scope["load"])


def _attribute(name: str, attribute: str) -> str:
    """The source reading `attribute` of `name` (`getattr` for a name the compiler mangles or
    a keyword)."""
    if attribute.isidentifier() and not keyword.iskeyword(attribute) \
            and not attribute.startswith("__"):
        return f"{name}.{attribute}"
    return f"getattr({name}, {attribute!r})"


def _shape(cls: type[Any], fields: Mapping[str, Field], *, prefix: str, or_default: bool,
           computed: Mapping[str, Callable[[Any], object]], root: sa.Table,
           nested: bool) -> _Shape:
    if not attrs.has(cls):
        raise MappingMismatch(f"{cls.__name__} is not an attrs class")
    unknown = set(fields) - {f.name for f in attrs.fields(cls)}
    if unknown:
        raise MappingMismatch(f"{cls.__name__} has no fields {sorted(unknown)}")
    plain: list[tuple[str, str]] = []
    parts: list[tuple[str, _Part]] = []
    collections: list[_Collection] = []
    defaults: set[str] = set()
    for field in attrs.fields(cls):
        override = fields.get(field.name, Column())
        if isinstance(override, _Ignored):
            continue
        if isinstance(override, Children):
            collections.append(_collection(field, override, root=root, nested=nested))
            continue
        if or_default or (isinstance(override, Column) and override.or_default):
            if field.default is attrs.NOTHING:
                raise MappingMismatch(f"{cls.__name__}.{field.name} has no default to read")
            defaults.add(field.name)
        part = _part(field.name, override, prefix=prefix, or_default=or_default, root=root)
        if isinstance(part, _Scalar) and part.to_row is part.from_row is None \
                and field.name not in defaults:
            plain.append((field.name, part.column))
        else:
            parts.append((field.name, part))
    return _compile(_Shape(cls, tuple(plain), tuple(parts), tuple(computed.items()),
                           tuple(collections), frozenset(defaults)))


def _part(name: str, override: Column | MoneyColumns | Flat, *, prefix: str, or_default: bool,
          root: sa.Table) -> _Part:
    if isinstance(override, Column):
        return _Scalar(override.name or prefix + name, override.store, override.load)
    if isinstance(override, MoneyColumns):
        if override.from_parent and override.currency not in root.c:
            raise MappingMismatch(f"{root.name} has no column {override.currency}")
        return _Money(override.amount or f"{prefix}{name}_amount", override.currency,
                      override.from_parent)
    shape = _shape(override.cls, override.fields, prefix=prefix + override.prefix,
                   # NULL columns of an optional object read as None, not as defaults
                   or_default=(or_default or override.or_default) and not override.optional,
                   computed=override.computed, root=root, nested=True)
    if shape.collections:
        raise MappingMismatch(f"{override.cls.__name__}: a flattened object has no collections")
    return _Flat(shape, override.optional, shape.owned, shape.shared)


def _collection(field: attrs.Attribute[Any], spec: Children, *, root: sa.Table,
                nested: bool) -> _Collection:
    if nested != (spec.link is not None):
        raise MappingMismatch(f"{field.name}: a collection inside a child needs a link, and only "
                              "there")
    (key,) = spec.table.foreign_keys
    if key.column.table is not root:
        raise MappingMismatch(f"{spec.table.name} does not key {root.name}")
    parent = str(key.parent.name)
    structural = (parent, "position", *(spec.link[:1] if spec.link else ()))
    into = tuple if str(field.type).startswith("tuple") else list
    if spec.cls is None:
        assert spec.column is not None
        _check(spec.table, owned=(spec.column,), shared=(), also=structural, name=field.name)
        return _Collection(field.name, spec.table, parent, None, spec.column, None, into)
    codec: RowCodec[Any] = RowCodec.__new__(RowCodec)
    codec._setup(spec.cls, spec.table, spec.fields, root=root, structural=structural,
                 not_mapped=(), nested=True)
    return _Collection(field.name, spec.table, parent, codec, "", spec.link, into)


def _check(table: sa.Table, *, owned: Sequence[str], shared: Collection[str],
           also: Collection[str], name: str) -> None:
    doubled = sorted({c for c in owned if list(owned).count(c) > 1} | (set(owned) & set(also)))
    if doubled:
        raise MappingMismatch(f"{name} ↔ {table.name}: columns written twice: {doubled}")
    mapped = {*owned, *shared, *also}
    columns = set(table.c.keys())
    if mapped != columns:
        raise MappingMismatch(
            f"{name} ↔ {table.name}: columns without a field {sorted(columns - mapped)}, "
            f"fields without a column {sorted(mapped - columns)}"
        )


# -- the codec ------------------------------------------------------------------------------------
class RowCodec(Generic[T]):
    """Encodes `cls` to rows of `table` (and its child tables) and decodes them back."""

    table: sa.Table
    shape: _Shape
    _links: tuple[tuple[str, str], ...]  # linked child table → the column naming its owner

    def __init__(self, cls: type[T], table: sa.Table, /, *, not_mapped: Collection[str] = (),
                 computed: Mapping[str, Callable[[T], object]] | None = None,
                 **fields: Field) -> None:
        self._setup(cls, table, fields, root=table, structural=(), not_mapped=not_mapped,
                    computed=computed or {}, nested=False)

    def _setup(self, cls: type[Any], table: sa.Table, fields: Mapping[str, Field], *,
               root: sa.Table, structural: tuple[str, ...], not_mapped: Collection[str],
               nested: bool, computed: Mapping[str, Callable[[Any], object]] | None = None,
               ) -> None:
        self.table = table
        self.shape = _shape(cls, fields, prefix="", or_default=False, computed=computed or {},
                            root=root, nested=nested)
        _check(table, owned=self.shape.owned, shared=self.shape.shared,
               also=(*structural, *not_mapped), name=cls.__name__)
        links: list[tuple[str, str]] = []
        for c in self.shape.collections:
            if c.link is not None:
                links.append((c.table.name, c.link[0]))
            if c.codec is not None:
                links.extend(c.codec._links)
        self._links = tuple(links)

    @property
    def child_tables(self) -> tuple[sa.Table, ...]:
        """Every child table, in field order (a child's own collections after it)."""
        return tuple(t for c in self.shape.collections
                     for t in (c.table, *(c.codec.child_tables if c.codec else ())))

    def encode(self, obj: T) -> Values:
        row: Values = {}
        self.shape.store(obj, row)
        return row

    def decode(self, row: Row, children: LoadedChildren | None = None) -> T:
        loaded = children or {}
        grouped: _Grouped = {}
        for table, link in self._links:
            grouped[table] = {}
            for child in loaded[table]:
                grouped[table].setdefault(getattr(child, link), []).append(child)
        decoded: T = self.shape.load(row, row, loaded, grouped)
        return decoded

    def child_rows(self, obj: T, key: str) -> ChildRows:
        """The rows of every child table for `obj`, whose root key is `key`."""
        rows: ChildRows = {}
        self._child_rows([obj], key, rows)
        return rows

    def _child_rows(self, owners: Sequence[Any], key: str, out: ChildRows) -> None:
        for c in self.shape.collections:
            pairs = [(owner, item) for owner in owners for item in getattr(owner, c.field)]
            rows: list[Values] = []
            store = c.codec.shape.store if c.codec is not None else None
            for position, (owner, item) in enumerate(pairs):
                row: Values = {c.parent: key, "position": position}
                if c.link is not None:
                    row[c.link[0]] = getattr(owner, c.link[1])
                if store is None:
                    row[c.column] = item
                else:
                    store(item, row)
                rows.append(row)
            out[c.table.name] = rows
            if c.codec is not None:
                c.codec._child_rows([item for _, item in pairs], key, out)
