"""Accounts and sessions: residents (phone + SMS code, real name), enterprises and their staff,
clerks (password + TOTP, department and region), server-side sessions with CSRF protection."""
