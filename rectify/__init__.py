"""Rectify: rectification tracking for party inspections (巡视/巡察整改).

The ``rectify`` package is both the Django project (settings, urls, wsgi) and the app that
holds the inspection records (rounds, problem tree, tasks, measures, notices).
"""
