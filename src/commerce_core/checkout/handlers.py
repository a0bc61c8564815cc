"""Checkout's command handlers: thin doors into the saga runner."""

from __future__ import annotations

from commerce_core.checkout.commands import (
    ConfirmBankTransfer,
    PlaceOrder,
    RecoverCheckouts,
    ReleaseIdempotencyKeys,
    SettlePayment,
)
from commerce_core.checkout.queries import PlacedOrder, SettleOutcome
from commerce_core.checkout.runner import CheckoutSagaRunner


class PlaceOrderHandler:
    def __init__(self, runner: CheckoutSagaRunner) -> None:
        self._runner = runner

    def __call__(self, cmd: PlaceOrder) -> PlacedOrder:
        return self._runner.place(cmd)


class RecoverCheckoutsHandler:
    def __init__(self, runner: CheckoutSagaRunner) -> None:
        self._runner = runner

    def __call__(self, cmd: RecoverCheckouts) -> dict[str, int]:
        return self._runner.recover(cmd)


class ReleaseIdempotencyKeysHandler:
    def __init__(self, runner: CheckoutSagaRunner) -> None:
        self._runner = runner

    def __call__(self, cmd: ReleaseIdempotencyKeys) -> int:
        return self._runner.release_keys(cmd)


class ConfirmBankTransferHandler:
    def __init__(self, runner: CheckoutSagaRunner) -> None:
        self._runner = runner

    def __call__(self, cmd: ConfirmBankTransfer) -> SettleOutcome:
        return self._runner.confirm_transfer(cmd)


class SettlePaymentHandler:
    def __init__(self, runner: CheckoutSagaRunner) -> None:
        self._runner = runner

    def __call__(self, cmd: SettlePayment) -> SettleOutcome:
        return self._runner.settle(cmd)
