"""Corpus cards and outlet metadata, shipped as package data ``framing.corpora``.

This folder holds data, not code: one TOML card per corpus (see ``README.md``), the outlet
metadata table and event definitions. Read them with :func:`framing.datasets.load_card`.
"""
