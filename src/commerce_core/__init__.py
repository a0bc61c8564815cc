"""commerce-core: a composable-commerce platform's domain core.

Pure Python (standard library and attrs only). Build the shop from a bundle of adapters:

    from commerce_core import Commerce
    from adapters.memory import bundle

    commerce = Commerce(bundle())
"""

from commerce_core.app import Commerce
from commerce_core.catalog.commands import VariantSpec
from commerce_core.ports import Ports
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.money import Money

__all__ = ["Commerce", "CommerceError", "Money", "Ports", "VariantSpec"]
