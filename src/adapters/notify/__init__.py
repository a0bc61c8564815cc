"""Notification providers: email over SMTP (`smtplib`), SMS through Twilio's Messages API and
push through FCM HTTP v1 (`httpx`), and the Jinja2 renderer of the shipped templates."""

from adapters.notify.fcm import FcmPushNotifier
from adapters.notify.smtp import SmtpEmailNotifier, SmtpSettings
from adapters.notify.templates import JinjaRenderer
from adapters.notify.twilio import TwilioSmsNotifier, twilio_signature, verify_twilio_signature

__all__ = [
    "FcmPushNotifier", "JinjaRenderer", "SmtpEmailNotifier", "SmtpSettings",
    "TwilioSmsNotifier", "twilio_signature", "verify_twilio_signature",
]
