"""Customer: the shopper's account (profile, preferences, status), their address book checked
against the location hierarchy, groups and segments, and the data-protection duties (export,
scheduled deletion with anonymisation) (spec identity-customer-notification §3-§4, ADR 0018)."""
