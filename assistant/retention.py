"""Conversations and conversation identities are kept only as long as configured.

Runs inside each Rasa server (several replicas sweeping the same store is harmless): every
``retention_sweep_seconds`` it deletes conversations whose last event is older than
``conversation_retention_days`` from Rasa's SQL tracker store (table ``events``), and expired
tokens, questions and used seals from the identity store.
"""
from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import create_engine, text

from basics.identity import identity_store
from basics.settings import Settings

log = logging.getLogger(__name__)

_OLD_CONVERSATIONS = text("DELETE FROM events WHERE sender_id IN "
                          "(SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cut)")


def tracker_store_url(settings: Settings) -> str:
    return settings.tracker_db_url or f"sqlite:///{settings.data_dir / 'rasa_tracker.sqlite3'}"


def sweep(settings: Settings) -> int:
    """One sweep; returns how many stored events were deleted."""
    identity_store(settings).sweep()
    engine = create_engine(tracker_store_url(settings), future=True)
    try:
        with engine.begin() as db:
            cut = time.time() - settings.conversation_retention_days * 86400
            return int(db.execute(_OLD_CONVERSATIONS, {"cut": cut}).rowcount or 0)
    finally:
        engine.dispose()


async def sweep_forever(settings: Settings) -> None:
    while True:
        try:
            deleted = await asyncio.to_thread(sweep, settings)
            if deleted:
                log.info("retention: %d stored conversation events deleted", deleted)
        except Exception as error:  # a missing table (no conversation yet) or a busy database: next time
            log.warning("retention sweep skipped: %s", type(error).__name__)
        await asyncio.sleep(settings.retention_sweep_seconds)
