package lib.tlsguard.helpers

is_https(u) if startswith(u, "https://")
