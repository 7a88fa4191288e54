"""Authoritative data sources (数据源) behind one adapter interface, with every read logged."""
