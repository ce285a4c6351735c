"""Who is calling and what they may do: API keys, staff accounts and their logins, scopes and
roles, and the Principal every service checks."""
