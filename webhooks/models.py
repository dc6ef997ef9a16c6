"""Subscriptions of external tools, and the outbox of deliveries to them."""
