"""The ground floor: settings, the session and its commit writers, RFC 9457 errors, middleware."""
