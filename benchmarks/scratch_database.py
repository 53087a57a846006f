"""A scratch PostgreSQL database for the province-scale benchmarks: created empty, dropped
afterwards (``dashboard_stats.py``, ``scale.py``)."""

from __future__ import annotations


def admin_connection(server: str):
    """An autocommit connection to the server's ``postgres`` database."""
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    return connection


def recreate(server: str, name: str) -> None:
    """Drop the database ``name`` if it exists and create it empty."""
    connection = admin_connection(server)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()


def drop(server: str, name: str) -> None:
    """Close Django's connections, then drop the database ``name``."""
    from django.db import connections

    connections.close_all()
    connection = admin_connection(server)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    connection.close()
