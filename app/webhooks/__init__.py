"""Webhooks: subscriptions, turning outbox events into deliveries, and sending them signed."""
