"""Service KPIs computed from live data, each beside the seed policy's target."""
