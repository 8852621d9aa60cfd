"""WAV in and out without trusting the file: any common WAV encoding is read (PCM 8/16/24/32-bit,
float, mu-law, A-law, stereo) and made 16-bit mono; anything else is refused with a sentence a user
or operator can act on. Lengths are checked from the header before the samples are read, so a
30-minute file costs nothing."""
from __future__ import annotations

import audioop  # stdlib on Python 3.10; audioop-lts provides it from 3.13
import io
import struct
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import BinaryIO

import numpy as np
from scipy.signal import resample_poly

ASR_RATE = 16000  # every recogniser and the VAD work at 16 kHz mono
PHONE_RATE = 8000
FORMATS = ("wav16k", "wav22k", "ulaw8k")  # what `say` and the talk loop can write
_FORMAT_RATES = {"wav16k": 16000, "wav22k": 22050, "ulaw8k": PHONE_RATE}
_PCM, _FLOAT, _ALAW, _ULAW, _EXTENSIBLE = 1, 3, 6, 7, 0xFFFE
_STREAMING_SIZES = {0, 0xFFFFFFFF, 0x7FFFFFFF, 0x7FFFF000}  # written by tools that stream to a pipe


class AudioError(ValueError):
    """Audio we cannot use; the message is meant to be shown or spoken as it is."""


class AudioTooLong(AudioError):
    """Longer than we agree to process; refused from the header, before reading the samples."""


@dataclass(frozen=True)
class Audio:
    """Mono 16-bit samples and their rate."""

    samples: np.ndarray
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    @property
    def pcm(self) -> bytes:
        return self.samples.astype("<i2").tobytes()

    @classmethod
    def from_pcm(cls, pcm: bytes, rate: int) -> "Audio":
        return cls(np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").copy(), rate)


def resample(audio: Audio, rate: int) -> Audio:
    """Band-limited polyphase resampling (no aliasing when going down to 8 kHz for the phone)."""
    if audio.rate == rate or not len(audio.samples):
        return Audio(audio.samples, rate)
    g = gcd(audio.rate, rate)
    out = resample_poly(audio.samples.astype(np.float32), rate // g, audio.rate // g)
    return Audio(np.clip(np.rint(out), -32768, 32767).astype(np.int16), rate)


def _header(fmt: int, channels: int, rate: int, width: int, bits: int, size: int) -> bytes:
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, rate * width * channels, width * channels, bits)
    if fmt != _PCM:
        fmt_chunk += struct.pack("<H", 0)  # cbSize, required for non-PCM formats
    riff = 4 + 8 + len(fmt_chunk) + 8 + size
    return b"RIFF" + struct.pack("<I", riff) + b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk \
        + b"data" + struct.pack("<I", size)


def wav_bytes(audio: Audio) -> bytes:
    """16-bit PCM WAV."""
    pcm = audio.pcm
    return _header(_PCM, 1, audio.rate, 2, 16, len(pcm)) + pcm


def ulaw_wav_bytes(audio: Audio) -> bytes:
    """8 kHz G.711 mu-law WAV, what a telephone line carries."""
    data = audioop.lin2ulaw(resample(audio, PHONE_RATE).pcm, 2)
    return _header(_ULAW, 1, PHONE_RATE, 1, 8, len(data)) + data


def encode(audio: Audio, fmt: str) -> bytes:
    """The bytes of a WAV file in one of FORMATS."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown audio format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "ulaw8k":
        return ulaw_wav_bytes(audio)
    return wav_bytes(resample(audio, _FORMAT_RATES[fmt]))


@dataclass(frozen=True)
class _Format:
    tag: int
    channels: int
    rate: int
    bits: int

    @property
    def frame(self) -> int:
        return self.channels * max(1, self.bits // 8)


def _parse_fmt(body: bytes) -> _Format:
    if len(body) < 16:
        raise AudioError("The audio file is damaged: its format description is cut short.")
    tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == _EXTENSIBLE and len(body) >= 26:
        tag = struct.unpack("<H", body[24:26])[0]  # the first two bytes of the sub-format GUID
    if tag not in (_PCM, _FLOAT, _ALAW, _ULAW) or (tag == _PCM and bits not in (8, 16, 24, 32)) \
            or (tag == _FLOAT and bits != 32):
        raise AudioError(f"This audio encoding is not supported (format {tag}, {bits} bits). "
                         "Please send a WAV file in PCM or mu-law.")
    if not 1 <= channels <= 8 or not 4000 <= rate <= 192000:
        raise AudioError(f"The audio file is damaged: {channels} channels at {rate} Hz is not a real recording.")
    return _Format(tag, channels, rate, bits)


def _to_mono16(raw: bytes, fmt: _Format) -> np.ndarray:
    raw = raw[: len(raw) // fmt.frame * fmt.frame]
    if fmt.tag == _FLOAT:
        floats = np.frombuffer(raw, dtype="<f4")
        data = np.clip(np.nan_to_num(floats) * 32767, -32768, 32767).astype("<i2").tobytes()
    elif fmt.tag == _ULAW:
        data = audioop.ulaw2lin(raw, 2)
    elif fmt.tag == _ALAW:
        data = audioop.alaw2lin(raw, 2)
    else:
        width = fmt.bits // 8
        data = audioop.lin2lin(audioop.bias(raw, 1, -128) if width == 1 else raw, width, 2)
    samples = np.frombuffer(data, dtype="<i2")
    if fmt.channels > 1:
        samples = samples.reshape(-1, fmt.channels).mean(axis=1).astype(np.int16)
    return samples.copy()


def read_wav(source: str | Path | bytes | BinaryIO, max_seconds: float | None = None) -> Audio:
    """Any common WAV as mono 16-bit; AudioError (with a plain message) for anything we cannot use."""
    if isinstance(source, (str, Path)):
        try:
            with open(source, "rb") as handle:
                return read_wav(handle, max_seconds)
        except OSError as exc:
            raise AudioError(f"Cannot open the audio file {source}: {exc.strerror}.") from None
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    head = stream.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise AudioError("This is not a WAV file, or its header is damaged. Please send a WAV recording.")
    fmt: _Format | None = None
    while True:
        chunk = stream.read(8)
        if len(chunk) < 8:
            raise AudioError("The audio file is damaged: it ends before any sound.")
        name, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if name == b"fmt ":
            fmt = _parse_fmt(stream.read(size + size % 2))
        elif name == b"data":
            if fmt is None:
                raise AudioError("The audio file is damaged: its format description is missing.")
            return _read_data(stream, size, fmt, max_seconds)
        else:
            stream.seek(size + size % 2, io.SEEK_CUR)


def _read_data(stream: BinaryIO, size: int, fmt: _Format, max_seconds: float | None) -> Audio:
    bytes_per_second = fmt.rate * fmt.frame
    streaming = size in _STREAMING_SIZES
    if max_seconds is not None and not streaming and size / bytes_per_second > max_seconds:
        _too_long(size / bytes_per_second, max_seconds)  # decided from the header: the samples are never read
    limit = int((max_seconds + 1) * bytes_per_second) if max_seconds is not None and streaming else -1
    raw = stream.read(size if not streaming else limit)
    if max_seconds is not None and len(raw) / bytes_per_second > max_seconds:
        _too_long(len(raw) / bytes_per_second, max_seconds)
    if len(raw) < fmt.frame:
        raise AudioError("The audio file is damaged or empty: it holds no sound.")
    return Audio(_to_mono16(raw, fmt), fmt.rate)


def _too_long(seconds: float, max_seconds: float) -> None:
    raise AudioTooLong(f"The recording is {_minutes(seconds)} long; I can listen to at most {_minutes(max_seconds)} "
                     "at a time. Please say it in a shorter message.")


def _minutes(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    return f"{seconds / 60:.0f} minutes"
