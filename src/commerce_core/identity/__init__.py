"""Identity: who may sign in and what they may do.

Owns staff users and customer accounts (credentials, lockout, TOTP second factor), sessions
with rotating refresh tokens, signed access tokens and the built-in staff roles. The customer
profile belongs to another context, which learns of a registration from
`identity.customer_registered`.
"""
