"""Synthesised prompts kept for reuse, in memory and on disk, both capped in entries and in bytes
(least recently used out first). Only voice/speaker.py puts anything here, and only fixed prompts:
see Speaker for why nothing a user could have said or been told is ever cached.

Disk files are ``prompt-<key>.wav``, mode 0600 in a 0700 directory, shared by the processes that
speak (Rasa, the phone line, the web page). Other recordings found there, left by an older cache
that kept every reply, are removed when the cache opens. The disk is a help, not a need: a file that
cannot be written or read is synthesised again."""
from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

from voice.audio import Audio, AudioError, read_wav, wav_bytes

PREFIX, SUFFIX = "prompt-", ".wav"
log = logging.getLogger("voice.cache")


class PromptCache:
    def __init__(self, directory: Path | None, max_items: int, max_bytes: int) -> None:
        self.directory, self.max_items, self.max_bytes = directory, max_items, max_bytes
        self._memory: OrderedDict[str, Audio] = OrderedDict()
        self._memory_bytes = 0
        self._lock = threading.Lock()  # calls speak from worker threads at once
        if directory is not None:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            directory.chmod(0o700)  # also when it existed before with wider rights
            for path in directory.glob(f"*{SUFFIX}"):
                if not path.name.startswith(PREFIX):
                    path.unlink(missing_ok=True)
            self._trim_disk()

    def get(self, key: str) -> Audio | None:
        with self._lock:
            audio = self._memory.get(key)
            if audio is None:
                audio = self._from_disk(key)
            if audio is not None:
                self._remember(key, audio)
            return audio

    def put(self, key: str, audio: Audio) -> None:
        with self._lock:
            self._remember(key, audio)
            if self.directory is not None and _size(audio) <= self.max_bytes:
                try:
                    self._to_disk(key, audio)
                except OSError as exc:
                    log.warning("a prompt could not be kept on disk (%s)", exc.strerror)

    def _to_disk(self, key: str, audio: Audio) -> None:
        assert self.directory is not None
        tmp = self.directory / f"{key}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(wav_bytes(audio))
        tmp.replace(self._path(key))  # atomic: a reader never sees half a file
        self._trim_disk()

    def _remember(self, key: str, audio: Audio) -> None:
        previous = self._memory.pop(key, None)
        self._memory_bytes -= _size(previous) if previous is not None else 0
        self._memory[key] = audio
        self._memory_bytes += _size(audio)
        while self._memory and (len(self._memory) > self.max_items or self._memory_bytes > self.max_bytes):
            _, evicted = self._memory.popitem(last=False)
            self._memory_bytes -= _size(evicted)

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{PREFIX}{key}{SUFFIX}"

    def _from_disk(self, key: str) -> Audio | None:
        if self.directory is None:
            return None
        path = self._path(key)
        try:
            audio = read_wav(path)
            os.utime(path)  # recently used: the last to be evicted
        except (OSError, AudioError):
            return None
        return audio

    def _trim_disk(self) -> None:
        assert self.directory is not None
        files = []
        for path in self.directory.glob(f"{PREFIX}*{SUFFIX}"):
            try:
                found = path.stat()
            except FileNotFoundError:
                continue
            files.append((found.st_mtime, found.st_size, path))
        files.sort()
        total = sum(size for _, size, _ in files)
        while files and (len(files) > self.max_items or total > self.max_bytes):
            _, size, oldest = files.pop(0)
            oldest.unlink(missing_ok=True)
            total -= size


def _size(audio: Audio) -> int:
    return audio.samples.nbytes
