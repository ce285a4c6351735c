"""HTTP wiring for every router: the request's session and who is calling."""
