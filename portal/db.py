"""Engine and sessions: SQLite file by default, PostgreSQL (or any SQLAlchemy URL) by setting."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.models import Base

_INSERT = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


def private_file(path: Path) -> None:
    """Create (or tighten) a file only its owner can read, in a directory only its owner can enter.

    SQLite gives its -wal and -shm files the database file's mode, so they are private too.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for existing in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if existing.exists():
            existing.chmod(0o600)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            private_file(Path(path))
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False, class_=Session)


def insert_missing(db: Session, model: Any, **values: Any) -> None:
    """Create a row unless it exists, with no race between two creators (INSERT ... ON CONFLICT DO NOTHING)."""
    db.execute(_INSERT[db.get_bind().dialect.name](model).values(**values).on_conflict_do_nothing())


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)
    _add_new_columns(engine)


def _add_new_columns(engine: Engine) -> None:
    """A database made before a column existed gets it, with its server default, so its data survives upgrades."""
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present and column.server_default is not None:
                    connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} "
                                               f"{column.type.compile(engine.dialect)} NOT NULL "
                                               f"DEFAULT {column.server_default.arg}")


def drop_schema(engine: Engine) -> None:
    Base.metadata.drop_all(engine)
