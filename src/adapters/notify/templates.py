"""Templates rendered with Jinja2: `templates/<locale>/<template>/<channel>.<part>`, the parts
being `subject`, `txt` and (email only) `html`. HTML is autoescaped; an undefined variable is
an error, and each template's required variables are checked before rendering."""

from __future__ import annotations

from collections.abc import Mapping

import jinja2

from commerce_core.notification.errors import InvalidNotification
from commerce_core.notification.ports import Channel, Rendered

# The variables each shipped template needs, whatever its locale and channel.
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "order_confirmed": ("order_number", "total"),
    "payment_captured": ("order_id", "amount"),
    "order_shipped": ("order_number", "tracking_number", "tracking_path"),
    "refund_processed": ("order_id", "amount"),
    "out_for_delivery": ("order_number", "tracking_number", "tracking_path"),
    "order_delivered": ("order_number", "tracking_number", "tracking_path"),
    "delivery_failed": ("order_number", "attempt", "tracking_number", "tracking_path"),
    "return_approved": ("order_number", "label_url", "tracking_number", "tracking_path"),
    "return_rejected": ("order_number", "reason"),
    "promotion": ("title", "body"),
    "password_reset": ("link", "expires_at"),
    "email_verification": ("link", "expires_at"),
}


class JinjaRenderer:
    def __init__(self, loader: jinja2.BaseLoader | None = None,
                 required: Mapping[str, tuple[str, ...]] = REQUIRED) -> None:
        self._env = jinja2.Environment(
            loader=loader or jinja2.PackageLoader("adapters.notify", "templates"),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",),
                                                default_for_string=False),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
        )
        self._required = required

    def render(self, template_id: str, channel: Channel, locale: str,
               data: Mapping[str, str]) -> Rendered:
        missing = [name for name in self._required.get(template_id, ()) if name not in data]
        if missing:
            raise InvalidNotification(f"template {template_id!r} needs {', '.join(missing)}",
                                      template_id=template_id, missing=missing)
        base = f"{locale}/{template_id}/{channel.value}"
        subject = self._part(f"{base}.subject", data, template_id)
        text = self._part(f"{base}.txt", data, template_id)
        if subject is None or text is None:
            raise InvalidNotification(
                f"no {channel.value} template {template_id!r} in {locale!r}",
                template_id=template_id, channel=channel.value, locale=locale)
        html = self._part(f"{base}.html", data, template_id) if channel is Channel.EMAIL else ""
        return Rendered(subject.strip(), text.strip() + "\n", html or "")

    def _part(self, name: str, data: Mapping[str, str], template_id: str) -> str | None:
        try:
            return self._env.get_template(name).render(**data)
        except jinja2.TemplateNotFound:
            return None
        except jinja2.UndefinedError as exc:
            raise InvalidNotification(f"template {template_id!r}: {exc.message}",
                                      template_id=template_id) from exc
