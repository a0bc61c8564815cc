"""The raw reference: an order's writes done by hand with psycopg in one transaction.

Per order: 3 conditional stock decrements, 1 order row, 3 order lines, 1 outbox row of ~500
bytes, one commit: the floor any order-placement code on PostgreSQL has to pay.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import psycopg

from benchmarks.stats import Run

SKUS = ("BENCH-A", "BENCH-B", "BENCH-C")
PAYLOAD = json.dumps({"order_id": "x" * 36, "items": [{"sku": s, "quantity": 1,
                      "price": {"amount": 350000, "currency": "VND"}} for s in SKUS],
                      "note": "y" * 180})
assert 450 <= len(PAYLOAD) <= 600

SCHEMA = """
DROP TABLE IF EXISTS raw_stock, raw_orders, raw_order_lines, raw_outbox;
CREATE TABLE raw_stock (sku text, warehouse_id text, on_hand int NOT NULL, reserved int NOT NULL,
    PRIMARY KEY (sku, warehouse_id), CHECK (reserved <= on_hand));
CREATE TABLE raw_orders (id uuid PRIMARY KEY, number text NOT NULL, status text NOT NULL,
    currency text NOT NULL, total_amount bigint NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE raw_order_lines (id uuid PRIMARY KEY, order_id uuid NOT NULL REFERENCES raw_orders,
    sku text NOT NULL, quantity int NOT NULL, unit_amount bigint NOT NULL);
CREATE TABLE raw_outbox (id uuid PRIMARY KEY, seq bigserial, type text NOT NULL,
    payload text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL);
"""


def dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


def setup(url: str, units: int) -> None:
    with psycopg.connect(dsn(url), autocommit=True) as conn:
        conn.execute(SCHEMA)
        for sku in SKUS:
            conn.execute("INSERT INTO raw_stock VALUES (%s, 'W1', %s, 0)", (sku, units))


def place(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    order_id = uuid.uuid4()
    with conn.transaction(), conn.cursor() as cur:
        for sku in SKUS:
            cur.execute(
                "UPDATE raw_stock SET reserved = reserved + 1"
                " WHERE sku = %s AND warehouse_id = 'W1' AND on_hand - reserved >= 1", (sku,),
            )
            if cur.rowcount != 1:
                raise RuntimeError("out of stock")
        cur.execute(
            "INSERT INTO raw_orders VALUES (%s, %s, 'confirmed', 'VND', 1050000, now())",
            (order_id, f"ORD-{order_id.hex[-8:]}"),
        )
        cur.executemany(
            "INSERT INTO raw_order_lines VALUES (%s, %s, %s, 1, 350000)",
            [(uuid.uuid4(), order_id, sku) for sku in SKUS],
        )
        cur.execute(
            "INSERT INTO raw_outbox (id, type, payload, status, created_at)"
            " VALUES (%s, 'order.created', %s, 'pending', now())",
            (uuid.uuid4(), PAYLOAD),
        )


def run(url: str, orders: int, clients: int) -> Run:
    setup(url, orders * 2)
    per_client = orders // clients
    latencies: list[float] = []
    lock = threading.Lock()
    connections = [psycopg.connect(dsn(url)) for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(conn: psycopg.Connection[tuple[object, ...]]) -> None:
        mine: list[float] = []
        barrier.wait()
        for _ in range(per_client):
            started = time.perf_counter()
            place(conn)
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(c,)) for c in connections]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for conn in connections:
        conn.close()
    return Run(per_client * clients, elapsed, tuple(latencies))
