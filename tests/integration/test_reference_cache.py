"""The engine's cache of reference data (ADR 0036) on SQLite and PostgreSQL: a change committed
by one process is what another prices and allocates with at its next checkout, usage counters
moved by checkouts keep the cache, the cached answers are exactly the queries', and no object is
shared by two units of work."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway
from adapters.sql.aggregates import AggregateStore
from adapters.sql.inventory import WAREHOUSES, SqlWarehouseRepository
from adapters.sql.pricing import PRICE_RULES, SqlPriceRuleRepository
from adapters.sql.promotion import (
    CAMPAIGNS,
    PROMOTIONS,
    SqlCampaignRepository,
    SqlPromotionRepository,
)
from adapters.sql.tables import metadata
from adapters.sql.tables.reference import reference_versions
from adapters.sql.tables.tax import tax_rules
from adapters.sql.tax import TAX_RULES, SqlTaxRuleRepository
from adapters.sql.uow import SqlUnitOfWork
from commerce_core import Commerce
from commerce_core.pricing.commands import CreatePriceRule
from commerce_core.pricing.ports import TaxDestination
from commerce_core.pricing.rules import RuleAction, RuleCondition, RuleType
from commerce_core.promotion.commands import CreateCampaign, CreateCoupon, CreatePromotion
from commerce_core.promotion.model import CampaignType
from commerce_core.promotion.terms import FixedAmountOff, PercentageOff
from commerce_core.shared.ids import Uuid7Generator
from commerce_core.shared.money import Money
from commerce_core.tax.commands import ChangeTaxRate, CreateTaxRule
from tests.shop import SHIRT, cart_with, stock_shop
from tests.statements import counting

VN = TaxDestination("VN")
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


@attrs.frozen
class Processes:
    """Two bundles on one database: what two processes of one shop share is the database."""

    first: Commerce
    second: Commerce
    clock: FrozenClock


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/shop.db"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def shop(url: str) -> Iterator[Processes]:
    clock = FrozenClock(NOW)
    bundles = [sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=clock,
                          ids=Uuid7Generator(), pool_size=2) for _ in range(2)]
    try:
        yield Processes(Commerce(bundles[0]), Commerce(bundles[1]), clock)
    finally:
        for ports in bundles:
            assert isinstance(ports.uow, sql.SqlUnitOfWorkFactory)
            ports.uow.dispose()


def engine_of(commerce: Commerce) -> sa.Engine:
    factory = commerce.ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    return factory.engine


def versions(commerce: Commerce) -> dict[str, int]:
    with engine_of(commerce).connect() as connection:
        rows = connection.execute(sa.select(reference_versions.c.kind,
                                            reference_versions.c.version))
        return {row.kind: row.version for row in rows}


def order_total(commerce: Commerce) -> Money:
    return commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)), destination=VN).total


def test_a_change_committed_by_one_process_is_seen_by_the_others_next_checkout(
    shop: Processes,
) -> None:
    first, second = shop.first, shop.second
    stock_shop(first)
    assert order_total(second) == vnd(350_000)  # the second process has cached what it read
    assert order_total(second) == vnd(350_000)

    tax = first.tax.create_rule(CreateTaxRule("VAT", "VN", "VAT", Decimal(10)))
    assert order_total(second) == vnd(385_000)
    first.tax.change_rate(ChangeTaxRate(tax, Decimal(8)))
    assert order_total(second) == vnd(378_000)

    first.pricing.create_rule(CreatePriceRule(
        "shirts 50k off", RuleType.CONDITION, RuleCondition(skus=(SHIRT,)),
        RuleAction.amount_off(vnd(50_000))))
    assert order_total(second) == vnd(324_000)

    promotion = first.promotions.create(CreatePromotion("100k off", FixedAmountOff(vnd(100_000))))
    assert order_total(second) == vnd(216_000)
    first.promotions.disable(promotion)
    assert order_total(second) == vnd(324_000)

    # Allocation follows the warehouses the other process opened and closed.
    first.inventory.create_warehouse("HN", "Ha Noi")
    first.inventory.set_stock(SHIRT, "HN", 5)
    first.inventory.set_default_warehouse("HN")
    first.inventory.deactivate_warehouse("HCM")
    hn = first.inventory.warehouse("HN").id
    before = {level.warehouse_id: level.reserved for level in second.inventory.levels(SHIRT)}
    order_total(second)
    after = {level.warehouse_id: level.reserved for level in second.inventory.levels(SHIRT)}
    assert {w: after[w] - before.get(w, 0) for w in after} == {
        hn: 1, first.inventory.warehouse("HCM").id: 0}


def test_a_warm_checkout_reads_one_version_row_instead_of_the_reference_tables(
    shop: Processes,
) -> None:
    first, second = shop.first, shop.second
    stock_shop(first)
    first.tax.create_rule(CreateTaxRule("VAT", "VN", "VAT", Decimal(10)))
    first.promotions.create(CreatePromotion("10% off", PercentageOff(Decimal(10))))
    order_total(second)
    cart = cart_with(second, (SHIRT, 1))
    with counting(engine_of(second)) as warm:
        second.checkout.place_order(cart, destination=VN)
    first.tax.create_rule(CreateTaxRule("Green levy", "VN", "levy", Decimal(1)))
    cart = cart_with(second, (SHIRT, 1))
    with counting(engine_of(second)) as cold:
        second.checkout.place_order(cart, destination=VN)

    # After a change, only that kind is read again (tax rules of the destination).
    assert cold.statements == warm.statements + 1


def test_checkouts_counting_promotion_usage_leave_the_versions_alone(shop: Processes) -> None:
    first = shop.first
    stock_shop(first)
    campaign = first.promotions.create_campaign(CreateCampaign(
        "Flash", CampaignType.FLASH_SALE, NOW - timedelta(days=1),
        budget_limit=vnd(10_000_000)))
    promotion = first.promotions.create(CreatePromotion(
        "10% with FLASH", PercentageOff(Decimal(10)), requires_coupon=True,
        campaign_id=campaign, total_usage_limit=100))
    first.promotions.create_coupon(CreateCoupon(promotion, "FLASH", usage_limit=100))
    before = versions(first)

    for _ in range(2):
        cart = cart_with(first, (SHIRT, 1))
        first.cart.apply_coupon(cart, "FLASH")
        assert first.checkout.place_order(cart, destination=VN).total == vnd(315_000)

    assert versions(first) == before
    with first.ports.uow() as uow:
        counts = uow.promotion_usage.counts(promotion_ids=[promotion], coupon_ids=[],
                                            campaign_ids=[campaign], customer_id=None)
    assert counts.promotion_uses == {promotion: 2}  # the counters did move
    assert counts.campaign_budget_used == {campaign: vnd(70_000)}
    # A change of the promotion itself moves its kind.
    first.promotions.disable(promotion)
    assert versions(first) == {**before, "promotions": before["promotions"] + 1}


def _uncached(uow: SqlUnitOfWork) -> tuple[SqlPriceRuleRepository, SqlPromotionRepository,
                                           SqlCampaignRepository, SqlTaxRuleRepository,
                                           SqlWarehouseRepository]:
    """The same repositories reading the database every time."""
    db, tracker = uow.transaction, uow.scope.tracker
    return (SqlPriceRuleRepository(AggregateStore(db, tracker, PRICE_RULES)),
            SqlPromotionRepository(AggregateStore(db, tracker, PROMOTIONS)),
            SqlCampaignRepository(AggregateStore(db, tracker, CAMPAIGNS)),
            SqlTaxRuleRepository(AggregateStore(db, tracker, TAX_RULES)),
            SqlWarehouseRepository(AggregateStore(db, tracker, WAREHOUSES)))


def test_the_cached_answers_are_exactly_the_queries(shop: Processes) -> None:
    commerce = shop.first
    stock_shop(commerce)
    commerce.inventory.create_warehouse("DN", "Da Nang")
    commerce.inventory.create_warehouse("CT", "Can Tho", is_default=True)
    commerce.inventory.deactivate_warehouse("DN")
    hour = timedelta(hours=1)
    campaign = commerce.promotions.create_campaign(CreateCampaign(
        "Tet", CampaignType.SEASONAL, NOW - hour))
    windows = [(None, None), (NOW, None), (None, NOW), (NOW - hour, NOW + hour),
               (NOW + hour, None), (None, NOW - hour)]
    for n, (starts, ends) in enumerate(windows):
        commerce.promotions.create(CreatePromotion(
            f"promotion {n}", PercentageOff(Decimal(5)), priority=n % 3, starts_at=starts,
            ends_at=ends, campaign_id=campaign if n % 2 else None))
        commerce.pricing.create_rule(CreatePriceRule(
            f"rule {n}", RuleType.CONDITION, RuleCondition(skus=(SHIRT,)),
            RuleAction.percent_off(n + 1), priority=n % 2, starts_at=starts, ends_at=ends))
    disabled = commerce.promotions.create(CreatePromotion("off", PercentageOff(Decimal(5))))
    commerce.promotions.disable(disabled)
    for country, rate in (("VN", 10), ("VN", 5), ("TH", 7)):
        commerce.tax.create_rule(CreateTaxRule(f"{country} {rate}", country, "VAT",
                                               Decimal(rate)))

    # Every moment twice: the first reads fill the cache, the second are served from it.
    moments = [NOW - 2 * hour, NOW - hour, NOW, NOW + hour, NOW + 2 * hour]
    for at in [*moments, *moments]:
        with commerce.ports.uow() as uow:
            assert isinstance(uow, SqlUnitOfWork)
            rules, promotions, campaigns, taxes, warehouses = _uncached(uow)
            live = uow.promotions.live(at)
            assert [p.definition for p in live] == [p.definition for p in promotions.live(at)]
            ids = {p.definition.campaign_id for p in live if p.definition.campaign_id}
            assert ([c.definition for c in uow.campaigns.by_ids(ids)]
                    == [c.definition for c in campaigns.by_ids(ids)])
            assert ([r.definition for r in uow.price_rules.live(at)]
                    == [r.definition for r in rules.live(at)])
            for country in ("VN", "TH", "US"):
                assert ([r.definition for r in uow.tax_rules.for_country(country)]
                        == [r.definition for r in taxes.for_country(country)])
            assert ([(w.id, w.code, w.active, w.is_default) for w in uow.warehouses.list()]
                    == [(w.id, w.code, w.active, w.is_default) for w in warehouses.list()])
    with commerce.ports.uow() as uow:  # not vacuous: windows and scopes did sort things out
        assert len(uow.promotions.live(NOW)) == 3
        assert len(uow.price_rules.live(NOW)) == 3
        assert [w.code for w in uow.warehouses.list()] == ["CT", "DN", "HCM"]


def test_no_unit_of_work_gets_another_ones_objects_and_changes_are_written(
    shop: Processes,
) -> None:
    commerce = shop.first
    stock_shop(commerce)
    commerce.inventory.create_warehouse("HN", "Ha Noi")
    with commerce.ports.uow() as first:
        mine = first.warehouses.list()
    with commerce.ports.uow() as second:
        theirs = second.warehouses.list()
    assert [w.id for w in mine] == [w.id for w in theirs]
    assert all(a is not b for a, b in zip(mine, theirs, strict=True))
    # A warehouse read through the cache and changed is written (and moves the version).
    before = versions(commerce)["warehouses"]
    with commerce.ports.uow() as uow:
        (hn,) = [w for w in uow.warehouses.list() if w.code == "HN"]
        hn.deactivate(now=NOW)
        uow.commit()
    assert versions(commerce)["warehouses"] == before + 1
    assert not shop.second.inventory.warehouse("HN").active


def test_a_rolled_back_change_read_in_its_own_transaction_is_never_served(
    shop: Processes,
) -> None:
    """The rolled-back transaction moved the version to the number the next committed change
    gets; the stamp tells them apart."""
    commerce = shop.first
    stock_shop(commerce)
    rule: dict[str, object] = {
        "id": "ghost", "name": "ghost", "country_code": "VN", "region": None, "postcode": None,
        "tax_type": "VAT", "rate": "50", "tax_classes": [], "categories": [],
        "customer_group_id": None, "is_compound": False, "is_inclusive": False,
        "applies_to_shipping": False, "priority": 0, "effective_from": None,
        "effective_to": None, "is_active": True, "created_at": NOW, "updated_at": NOW,
        "version": 1,
    }
    with commerce.ports.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        uow.transaction.execute(tax_rules.insert(), rule)
        assert [r.id for r in uow.tax_rules.for_country("VN")] == ["ghost"]
        uow.rollback()
    before = versions(commerce)["tax"]

    commerce.tax.create_rule(CreateTaxRule("VAT", "VN", "VAT", Decimal(10)))

    assert versions(commerce)["tax"] == before + 1
    with commerce.ports.uow() as uow:
        assert [r.definition.name for r in uow.tax_rules.for_country("VN")] == ["VAT"]


def test_the_triggers_watch_every_column_but_the_usage_counters() -> None:
    """A column added to a watched table must move the version when it changes; the counters
    checkouts move must not (they would empty the cache at every order)."""
    path = Path(sql.__file__).with_name("migrations") / "versions" / "0027_reference_versions.py"
    spec = importlib.util.spec_from_file_location("reference_versions_0027", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    counters = {"promotions": {"current_usage_count"}, "campaigns": {"budget_used_amount"}}

    for table, _, columns in migration.WATCHED:
        if columns is not None:
            assert set(columns) == {c.name for c in metadata.tables[table].c} - counters[table]
    assert {table for table, _, columns in migration.WATCHED if columns is not None} == set(
        counters)
