"""`commerce demo`: the whole shopping journey on a throwaway SQLite database, step by step."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import typer
from rich.table import Table

from adapters.memory import InMemoryBreakerStore, Outcome, ScriptedPaymentGateway
from commerce_core import Commerce, CommerceError
from commerce_core.checkout.errors import CheckoutFailed
from commerce_core.checkout.model import SagaStatus, Step
from commerce_core.checkout.queries import PlacedOrder
from commerce_core.inventory.model import ReservationStatus
from commerce_core.ordering.model import OrderStatus
from commerce_core.payment.errors import NoEligibleGateway, PaymentDeclined
from commerce_core.payment.model import PaymentStatus
from commerce_core.payment.ports import PaymentGateway
from commerce_core.payment.routing import GatewayRouter, RoutingTable
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.ids import Uuid7Generator
from entrypoints.cli.access import LOCAL, permits
from entrypoints.cli.output import console, failed, ok, styled
from entrypoints.container import gateway_profiles
from entrypoints.sample_data import PRODUCTS, WAREHOUSES, seed_sample_catalog

app = typer.Typer()

STEP_LABELS: dict[str, str] = {
    "priced": "cart validated and priced",
    "stock_reserved": "stock reserved",
    Step.ORDER_CREATED: "order created, awaiting payment",
    "payment_authorized": "payment authorized",
    Step.CONFIRMED: "order confirmed",
}

FIRST_CART = (("LINEN-SHIRT-M", 2), ("ROBUSTA-500G", 1))
DECLINED_LINE = ("AO-DAI-SILK-M", 1)
CANCELLED_LINE = ("BAT-TRANG-TEA-SET-BLUE", 1)


class StepFailed(Exception):
    """A step of the journey did not end the way the shop promises."""


def expect(condition: bool, problem: str) -> None:
    if not condition:
        raise StepFailed(problem)


TOUR_LINE = ("ROBUSTA-500G", 1)
# (payment method, how the shopper paid); the demo's routing sends each method to its gateway.
PAYMENT_TOUR = (
    ("stripe", "card held, then captured"),
    ("vnpay", "paid on VNPay's page"),
    ("momo", "paid in the MoMo app"),
    ("paypal", ""),
    ("cod", "cash to the courier"),
    ("bank_transfer", "transfer confirmed"),
)
DEMO_ROUTES = ("card=fake; stripe=stripe; vnpay=vnpay; momo=momo; paypal=paypal; cod=cod; "
               "bank_transfer=bank_transfer")


class Sandboxes:
    """Each real provider adapter wired to its sandbox, and the shopper on each provider's page."""

    def __init__(self) -> None:
        from adapters.payments import (
            BankTransferGateway,
            CashOnDeliveryGateway,
            MomoCredentials,
            MomoGateway,
            PayPalCredentials,
            PayPalGateway,
            StripeGateway,
            VnpayCredentials,
            VnpayGateway,
        )
        from adapters.payments.sandbox import MomoDouble, PayPalDouble, StripeDouble, VnpayDouble

        clock = SystemClock()
        self.stripe, self.vnpay = StripeDouble(), VnpayDouble("DEMOTMN1", "DEMOSECRET")
        self.momo = MomoDouble("MOMODEMO", "DEMOACCESS", "DEMOSECRET")
        self.paypal = PayPalDouble("demo-client", "demo-secret", "WH-DEMO")

        def client(double: StripeDouble | VnpayDouble | MomoDouble | PayPalDouble
                   ) -> httpx.Client:
            return httpx.Client(transport=double.transport(), timeout=5)

        self.gateways: list[PaymentGateway] = [
            StripeGateway(client(self.stripe), api_key="sk_test_demo",
                          webhook_secret="whsec_demo", clock=clock,
                          base_url="https://stripe.test"),
            VnpayGateway(client(self.vnpay),
                         credentials=VnpayCredentials("DEMOTMN1", "DEMOSECRET"), clock=clock,
                         payment_url="https://vnpay.test/paymentv2/vpcpay.html",
                         api_url="https://vnpay.test/merchant_webapi/api/transaction",
                         return_url="https://shop.test/payments/vnpay/return"),
            MomoGateway(client(self.momo),
                        credentials=MomoCredentials("MOMODEMO", "DEMOACCESS", "DEMOSECRET"),
                        clock=clock, ipn_url="https://shop.test/webhooks/payments/momo",
                        base_url="https://momo.test/v2/gateway/api"),
            PayPalGateway(client(self.paypal),
                          credentials=PayPalCredentials("demo-client", "demo-secret",
                                                        "WH-DEMO"),
                          clock=clock, base_url="https://paypal.test"),
            CashOnDeliveryGateway(),
            BankTransferGateway(instructions_url="https://shop.test/pay/transfer/{reference}"),
        ]

    def pay(self, commerce: Commerce, method: str, placed: PlacedOrder) -> None:
        """The shopper pays where the method says; the shop hears of it as it would."""
        payment = commerce.payments.for_order(placed.order_id)[-1]
        reference = payment.reference
        if not placed.payment_url or reference is None:
            return  # settled at checkout (a card, cash on delivery)
        if method == "vnpay":
            self.vnpay.pay(placed.payment_url, "00")
        elif method == "momo":
            self.momo.pay(reference)
        if method == "bank_transfer":
            commerce.checkout.confirm_bank_transfer(reference, placed.total)
        else:
            commerce.checkout.settle_payment(method, reference)  # the shop asks the provider
        order = commerce.orders.get(placed.order_id)
        expect(order.status is OrderStatus.CONFIRMED,
               f"the {method} order is {order.status} after the shopper paid")


class Journey:
    """Shoppers and an operator walking through the shop; every step checks what it shows."""

    def __init__(self, commerce: Commerce, gateway: ScriptedPaymentGateway,
                 sandboxes: Sandboxes | None = None) -> None:
        self.commerce, self.gateway, self.sandboxes = commerce, gateway, sandboxes
        self.current = ""
        self._count = 0

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        self._count += 1
        self.current = f"{self._count}. {title}"
        console.print()
        console.print(styled(self.current, "bold"))
        try:
            yield
        except CommerceError as error:
            problem = StepFailed(f"{error.message} [{error.code}]")
            failed(str(problem))
            raise problem from error
        except StepFailed as problem:
            failed(str(problem))
            raise

    def available(self, sku: str) -> int:
        return sum(level.available for level in self.commerce.inventory.levels(sku))

    def fill_cart(self, *lines: tuple[str, int]) -> str:
        cart_id = self.commerce.cart.create("VND")
        for sku, quantity in lines:
            self.commerce.cart.add_item(cart_id, sku, quantity)
        return cart_id

    def place(self, cart_id: str, email: str, key: str, watch: Sequence[str]) -> PlacedOrder:
        """Check out, printing each saga step the moment it takes effect."""
        before = {sku: self.available(sku) for sku in watch}

        def probe(step: str) -> None:
            label = STEP_LABELS.get(step, step)
            if step == "stock_reserved":
                label += ": " + ", ".join(
                    f"{sku} available {before[sku]} → {self.available(sku)}" for sku in watch
                )
            ok(label)

        runner = self.commerce.checkout_runner
        previous, runner.probe = runner.probe, probe
        try:
            return self.commerce.checkout.place_order(cart_id, email=email, idempotency_key=key)
        finally:
            runner.probe = previous

    def run(self) -> None:
        self.seed_and_browse()
        cart_id = self.fill_first_cart()
        placed = self.check_out(cart_id)
        self.show_held_stock(placed)
        self.capture(placed)
        self.decline()
        self.replay(cart_id, placed)
        self.cancel()
        self.nothing_left_hanging(placed)
        if self.sandboxes is not None:
            self.every_gateway(self.sandboxes)

    def every_gateway(self, sandboxes: Sandboxes) -> None:
        with self.step("Every gateway takes a payment (provider sandboxes, no network)"):
            table = Table()
            for heading in ("Method", "How it was paid", "Payment", "Ledger"):
                table.add_column(heading)
            explained: str | None = None
            for method, how in PAYMENT_TOUR:
                cart_id = self.fill_cart(TOUR_LINE)
                try:
                    placed = self.commerce.checkout.place_order(
                        cart_id, payment_method=method, email="an@example.vn",
                        idempotency_key=f"demo-{method}", client_ip="203.0.113.7",
                        billing_country="VN", payment_token="pm_card_visa")
                except NoEligibleGateway as refused:
                    table.add_row(method, "refused before any money moved",
                                  refused.message, "")
                    continue
                sandboxes.pay(self.commerce, method, placed)
                if method == "cod":
                    self.commerce.payments.record_collection(placed.order_id, placed.total)
                else:
                    self.commerce.payments.capture(placed.order_id)
                payment = self.commerce.payments.for_order(placed.order_id)[-1]
                expect(payment.status is PaymentStatus.CAPTURED,
                       f"the {method} payment is {payment.status}")
                table.add_row(method, how, payment.status.value,
                              " → ".join(t.kind.value for t in payment.transactions))
                explained = explained or placed.order_id
            console.print(table)
            expect(explained is not None, "no gateway took a payment")
            assert explained is not None
            ok("why the first of them was let through (fraud score):")
            for line in self.commerce.fraud.explain(explained):
                console.print(f"    {line}")

    def nothing_left_hanging(self, paid: PlacedOrder) -> None:
        with self.step("Nothing is left hanging"):
            expect(not self.gateway.held(), "an authorization still holds a shopper's money")
            ok("no authorization holds money: one captured, one voided, one never granted")
            units = sum(line.quantity for line in self.commerce.orders.get(paid.order_id).lines)
            reserved = sum(level.reserved for level in self.commerce.inventory.levels())
            expect(reserved == units, f"{reserved} units are reserved, not the {units} ordered")
            ok(f"the only stock reserved is the {units} units of Lan's paid order")

    def seed_and_browse(self) -> None:
        with self.step("Seed the sample catalog"):
            report = seed_sample_catalog(self.commerce)
            expect(all(report.products.values()), "the throwaway database was not empty")
            skus = sum(len(product.variants) for product in PRODUCTS)
            ok(f"{len(WAREHOUSES)} warehouses (HCM is the default), {len(PRODUCTS)} products, "
               f"{skus} SKUs, {sum(report.stock.values())} stock levels")
        with self.step("Browse the catalog"):
            products = self.commerce.catalog.list()
            expect(len(products) == len(PRODUCTS), f"{len(products)} products are on sale")
            table = Table()
            for heading in ("Product", "SKUs", "Price"):
                table.add_column(heading)
            for product in products:
                prices = sorted(v.price.amount for v in product.variants)
                low, high = (f"{amount:,} VND" for amount in (prices[0], prices[-1]))
                table.add_row(product.name, ", ".join(v.sku for v in product.variants),
                              low if low == high else f"{low} to {high}")
            console.print(table)

    def fill_first_cart(self) -> str:
        with self.step("Lan fills a cart"):
            cart_id = self.fill_cart(*FIRST_CART)
            cart = self.commerce.cart.get(cart_id)
            expect(len(cart.lines) == len(FIRST_CART), f"the cart has {len(cart.lines)} lines")
            table = Table()
            table.add_column("SKU")
            table.add_column("Item")
            for heading in ("Qty", "Unit price", "Line total"):
                table.add_column(heading, justify="right")
            for line in cart.lines:
                table.add_row(line.sku, line.name, str(line.quantity), str(line.unit_price),
                              str(line.line_total))
            for label, amount in (("Subtotal", cart.subtotal), ("Shipping", cart.shipping_total),
                                  ("Tax", cart.tax_total)):
                table.add_row("", label, "", "", str(amount))
            table.add_row("", styled("Total", "bold"), "", "", styled(str(cart.total), "bold"))
            console.print(table)
        return cart_id

    def check_out(self, cart_id: str) -> PlacedOrder:
        with self.step("Lan checks out and pays by card"):
            placed = self.place(cart_id, "lan@example.vn", "demo-lan",
                                [sku for sku, _ in FIRST_CART])
            saga = self.commerce.checkout.get(placed.checkout_id)
            expect(saga.status is SagaStatus.COMPLETED and saga.step is Step.CONFIRMED,
                   f"the checkout is {saga.status} at step {saga.step}")
            order = self.commerce.orders.get(placed.order_id)
            expect(order.status is OrderStatus.CONFIRMED, f"order {order.number} is {order.status}")
            ok(f"checkout {saga.id} is {saga.status} at step {saga.step}")
            ok(f"order {order.number} is {order.status}, total {order.totals.total}; history:")
            for change in order.history:
                console.print(f"    {change.from_status or 'new'} → {change.to_status} "
                              f"({change.reason}, by {change.changed_by})")
        return placed

    def show_held_stock(self, placed: PlacedOrder) -> None:
        with self.step("The order holds its stock"):
            codes = {w.id: w.code for w in self.commerce.inventory.warehouses()}
            table = Table()
            for heading in ("SKU", "Warehouse", "Held for order", "On hand", "Reserved",
                            "Available"):
                table.add_column(heading)
            for line in self.commerce.orders.get(placed.order_id).lines:
                reservation = self.commerce.inventory.reservation(line.reservation_id)
                expect(reservation.status is ReservationStatus.CONFIRMED
                       and reservation.quantity == line.quantity,
                       f"the reservation of {line.sku} is {reservation.status}")
                level = next(level for level in self.commerce.inventory.levels(line.sku)
                             if level.warehouse_id == reservation.warehouse_id)
                table.add_row(line.sku, codes[reservation.warehouse_id],
                              str(reservation.quantity), str(level.on_hand),
                              str(level.reserved), str(level.available))
            console.print(table)
            ok("each line's reservation is confirmed for the order, with no expiry")

    def capture(self, placed: PlacedOrder) -> None:
        with self.step("The shop captures Lan's payment"):
            self.commerce.payments.capture(placed.order_id)
            order = self.commerce.orders.get(placed.order_id)
            payment = self.commerce.payments.for_order(placed.order_id)[-1]
            expect(payment.status is PaymentStatus.CAPTURED, f"the payment is {payment.status}")
            expect(order.status is OrderStatus.PAID, f"order {order.number} is {order.status}")
            ok(f"captured {payment.amount}; order {order.number} is {order.status}")

    def decline(self) -> None:
        with self.step("Minh's card is declined"):
            sku, _ = DECLINED_LINE
            cart_id = self.fill_cart(DECLINED_LINE)
            before = self.available(sku)
            self.gateway.script(Outcome.DECLINE)
            try:
                self.place(cart_id, "minh@example.vn", "demo-minh", [sku])
            except PaymentDeclined as declined:
                failed(f"payment declined ({declined.details.get('decline_code')})")
            else:
                raise StepFailed("the gateway was told to decline, yet the order went through")
            after = self.available(sku)
            expect(after == before, f"{sku} available is {after}, not {before} again")
            ok(f"stock released: {sku} available back to {after}")
            # Replaying the request answers with the same failure, and names the checkout.
            try:
                self.commerce.checkout.place_order(cart_id, email="minh@example.vn",
                                                   idempotency_key="demo-minh")
            except CheckoutFailed as replay:
                saga = self.commerce.checkout.get(str(replay.details["checkout_id"]))
            else:
                raise StepFailed("replaying the declined checkout placed an order")
            expect(saga.status is SagaStatus.FAILED, f"the declined checkout is {saga.status}")
            if saga.order_id is None:
                raise StepFailed("the declined checkout never created its order")
            order = self.commerce.orders.get(saga.order_id)
            expect(order.status is OrderStatus.CANCELLED, f"order {order.number} is {order.status}")
            cart = self.commerce.cart.get(cart_id)
            ok(f"checkout rolled back ({saga.failure_code}): order {order.number} "
               f"{order.status}, cart {cart.status} again for another try")

    def replay(self, cart_id: str, placed: PlacedOrder) -> None:
        with self.step("Lan's checkout request arrives again (same Idempotency-Key)"):
            again = self.commerce.checkout.place_order(cart_id, email="lan@example.vn",
                                                       idempotency_key="demo-lan")
            expect(again.order_id == placed.order_id, "the replay placed a second order")
            key = self.commerce.checkout.get(placed.checkout_id).authorization_key
            asked = self.gateway.calls.count(("authorize", key))
            expect(asked == 1, f"the card was authorized {asked} times")
            ok(f"the same order {again.order_number} came back; the card was authorized once")

    def cancel(self) -> None:
        with self.step("Hoa orders, then cancels before shipping"):
            sku, _ = CANCELLED_LINE
            cart_id = self.fill_cart(CANCELLED_LINE)
            before = self.available(sku)
            placed = self.place(cart_id, "hoa@example.vn", "demo-hoa", [sku])
            self.commerce.orders.cancel(placed.order_id, "changed_mind", changed_by="customer")
            order = self.commerce.orders.get(placed.order_id)
            expect(order.status is OrderStatus.CANCELLED, f"order {order.number} is {order.status}")
            ok(f"order {order.number} {order.status}")
            after = self.available(sku)
            expect(after == before, f"{sku} available is {after}, not {before} again")
            ok(f"stock released: {sku} available back to {after}")
            payment = self.commerce.payments.for_order(placed.order_id)[-1]
            key = self.commerce.checkout.get(placed.checkout_id).authorization_key
            authorization = self.gateway.authorizations.get(key)
            expect(payment.status is PaymentStatus.VOIDED
                   and authorization is not None and authorization.state == "voided",
                   f"the payment is {payment.status}")
            ok(f"authorization voided: {payment.amount} no longer held on Hoa's card")


@app.command("demo")
@permits(LOCAL)
def demo() -> None:
    """Walk through a shop's whole journey, step by step, on a throwaway database."""
    from adapters import sql  # imported here: the other commands may never need SQLAlchemy

    with tempfile.TemporaryDirectory(prefix="commerce-demo-", ignore_cleanup_errors=True) as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        console.print(f"commerce-core demo on a throwaway database: {url}")
        gateway = ScriptedPaymentGateway()
        sandboxes = Sandboxes()
        ports = sql.bundle(url, gateway=gateway, clock=SystemClock(), ids=Uuid7Generator())
        ports.gateways = GatewayRouter([gateway, *sandboxes.gateways],
                                       routes=RoutingTable.parse(DEMO_ROUTES),
                                       profiles=gateway_profiles(),
                                       breakers=InMemoryBreakerStore())
        commerce = Commerce(ports)
        journey = Journey(commerce, gateway, sandboxes)
        try:
            journey.run()
        except StepFailed as problem:
            typer.echo(f"error: the demo failed at step {journey.current}: {problem}", err=True)
            raise typer.Exit(1) from None
    console.print()
    console.print(styled("The journey is complete.", "bold green"))
