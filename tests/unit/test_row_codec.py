"""The row codec: fields and columns must correspond, and an object survives a trip to SQLite."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from adapters.sql.codec import (
    IGNORED,
    Field,
    MappingMismatch,
    RowCodec,
    by_value,
    child_values,
    children,
    column,
    flat,
    money,
)
from adapters.sql.columns import JsonText, UtcDateTime
from commerce_core.shared.money import Money


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@attrs.frozen
class Point:
    x: float
    y: float


@attrs.frozen
class Size:
    label: str = "M"
    grams: int | None = None


@attrs.frozen
class Part:
    name: str
    quantity: int


@attrs.frozen
class Line:
    id: str
    price: Money
    parts: tuple[Part, ...]


@attrs.define
class Box:
    id: str
    colour: Colour
    total: Money
    discount: Money | None
    size: Size
    spot: Point | None
    lines: list[Line]
    tags: list[str]
    labels: tuple[str, ...]
    created_at: datetime
    version: int = 0
    events: list[str] = attrs.Factory(list)

    @property
    def line_count(self) -> int:
        return len(self.lines)


metadata = sa.MetaData()
boxes = sa.Table(
    "boxes", metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("colour", sa.String, nullable=False),
    sa.Column("currency", sa.String, nullable=False),
    sa.Column("total_amount", sa.BigInteger, nullable=False),
    sa.Column("discount", sa.BigInteger, nullable=True),
    sa.Column("size_label", sa.String, nullable=True),
    sa.Column("size_grams", sa.Integer, nullable=True),
    sa.Column("x", sa.Float, nullable=True),
    sa.Column("y", sa.Float, nullable=True),
    sa.Column("labels", JsonText, nullable=False),
    sa.Column("line_count", sa.Integer, nullable=False),
    sa.Column("opened", UtcDateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("counter", sa.Integer, nullable=False, server_default="0"),
)


def _child(name: str, *columns: sa.Column[object]) -> sa.Table:
    return sa.Table(
        name, metadata,
        sa.Column("box_id", sa.String, sa.ForeignKey("boxes.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        *columns,
    )


box_lines = _child("box_lines", sa.Column("line_id", sa.String),
                   sa.Column("price_amount", sa.BigInteger))
box_line_parts = _child("box_line_parts", sa.Column("line_id", sa.String),
                        sa.Column("name", sa.String), sa.Column("quantity", sa.Integer))
box_tags = _child("box_tags", sa.Column("tag", sa.String))


def _codec(**changes: Field) -> RowCodec[Box]:
    fields: dict[str, Field] = {
        "colour": by_value(Colour),
        "total": money(),
        "discount": money("discount"),
        "size": flat(Size, prefix="size_", or_default=True),
        "spot": flat(Point, optional=True),
        "lines": children(box_lines, Line, id=column("line_id"),
                          price=money(from_parent=True),
                          parts=children(box_line_parts, Part, link=("line_id", "id"))),
        "tags": child_values(box_tags, "tag"),
        "labels": column(store=list, load=tuple),
        "created_at": column("opened"),
        "events": IGNORED,
        **changes,
    }
    return RowCodec(Box, boxes, not_mapped=("counter",),
                    computed={"line_count": lambda box: box.line_count}, **fields)


def _box() -> Box:
    vnd = "VND"
    return Box(
        id="b1", colour=Colour.BLUE, total=Money(900, vnd), discount=None, size=Size("L", 40),
        spot=Point(1.5, 2.5),
        lines=[Line("l1", Money(500, vnd), (Part("lid", 1), Part("hinge", 2))),
               Line("l2", Money(400, vnd), ())],
        tags=["fragile", "gift"], labels=("a", "b"), created_at=datetime(2026, 1, 2, tzinfo=UTC),
    )


def test_an_object_survives_a_trip_through_its_rows() -> None:
    codec, box = _codec(), _box()
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as db:
        db.execute(boxes.insert(), codec.encode(box))
        for table in codec.child_tables:
            db.execute(table.insert(), codec.child_rows(box, box.id)[table.name])
        row = db.execute(sa.select(boxes)).one()
        loaded = {t.name: db.execute(sa.select(t).order_by(t.c.position)).all()
                  for t in codec.child_tables}
    assert codec.encode(box)["line_count"] == 2
    assert codec.child_rows(box, "b1")["box_line_parts"] == [
        {"box_id": "b1", "position": 0, "line_id": "l1", "name": "lid", "quantity": 1},
        {"box_id": "b1", "position": 1, "line_id": "l1", "name": "hinge", "quantity": 2},
    ]
    decoded = codec.decode(row, loaded)
    assert attrs.asdict(decoded, recurse=False) == attrs.asdict(box, recurse=False)
    assert type(decoded.lines[0].parts) is tuple


def test_null_columns_read_as_none_or_as_defaults() -> None:
    codec = _codec()
    row = codec.encode(attrs.evolve(_box(), spot=None, lines=[], tags=[]))
    assert (row["x"], row["y"], row["discount"]) == (None, None, None)
    row.update(size_label=None, size_grams=None)
    loaded: dict[str, list[sa.Row[object]]] = {"box_lines": [], "box_line_parts": [],
                                               "box_tags": []}
    decoded = codec.decode(_row(row), loaded)
    assert (decoded.spot, decoded.size, decoded.discount) == (None, Size(), None)


def _row(values: dict[str, object]) -> Any:
    """A stand-in for a result row: its columns as attributes."""
    return type("FakeRow", (), values)()


def test_a_field_without_a_column_fails_at_once() -> None:
    with pytest.raises(MappingMismatch, match=r"fields without a column \['created_at'\]"):
        _codec(created_at=column())


def test_a_column_without_a_field_fails_at_once() -> None:
    with pytest.raises(MappingMismatch, match=r"columns without a field \['opened'\]"):
        _codec(created_at=IGNORED)


def test_an_override_of_no_field_fails_at_once() -> None:
    with pytest.raises(MappingMismatch, match="no fields"):
        _codec(colur=by_value(Colour))


def test_a_collection_inside_a_child_needs_its_link() -> None:
    with pytest.raises(MappingMismatch, match="link"):
        _codec(lines=children(box_lines, Line, id=column("line_id"),
                              price=money(from_parent=True),
                              parts=children(box_line_parts, Part)))
