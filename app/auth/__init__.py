"""Who is calling and what they may do: API keys, staff logins, scopes, the Principal."""
