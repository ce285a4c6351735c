"""The outbox: events written in the changing transaction, delivered after commit."""
