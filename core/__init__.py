"""Platform infrastructure shared by every domain: settings, database, errors, time, personal data."""
