"""RTP media for one call (RFC 3550): G.711 both ways in 20 ms packets, RFC 4733/2833 keypad events
in, and playback that can be stopped at once (barge-in). Packets are parsed defensively: garbage,
wrong versions or truncated headers are counted and dropped."""
from __future__ import annotations

import asyncio
import audioop
import logging
import secrets
import struct
from dataclasses import dataclass
from typing import Callable

from voice.phone.sdp import PCMA, PCMU

log = logging.getLogger("mygov.phone")
FRAME_SAMPLES = 160  # 20 ms at 8 kHz
FRAME_SECONDS = 0.02
DTMF_KEYS = "0123456789*#ABCD"
_SILENCE = {PCMU: b"\xff" * FRAME_SAMPLES, PCMA: b"\xd5" * FRAME_SAMPLES}


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    marker: bool
    payload: bytes


def parse_rtp(data: bytes) -> RtpPacket | None:
    """None for anything that is not an RTP packet with a payload."""
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    count, has_extension, padded = data[0] & 0x0F, data[0] & 0x10, data[0] & 0x20
    offset = 12 + 4 * count
    if has_extension:
        if len(data) < offset + 4:
            return None
        offset += 4 + 4 * struct.unpack("!H", data[offset + 2: offset + 4])[0]
    end = len(data) - (data[-1] if padded else 0)
    if offset > end:
        return None
    _, second, sequence, timestamp, ssrc = struct.unpack("!BBHII", data[:12])
    return RtpPacket(second & 0x7F, sequence, timestamp, ssrc, bool(second & 0x80), data[offset:end])


def decode(payload: bytes, payload_type: int) -> bytes:
    """G.711 to 16-bit linear PCM."""
    return audioop.ulaw2lin(payload, 2) if payload_type == PCMU else audioop.alaw2lin(payload, 2)


def encode(pcm: bytes, payload_type: int) -> bytes:
    return audioop.lin2ulaw(pcm, 2) if payload_type == PCMU else audioop.lin2alaw(pcm, 2)


def dtmf_event(payload: bytes) -> tuple[str, bool] | None:
    """(key, end) of an RFC 4733 telephone-event payload; None if it is not a keypad key."""
    if len(payload) < 4 or payload[0] >= len(DTMF_KEYS):
        return None
    return DTMF_KEYS[payload[0]], bool(payload[1] & 0x80)


class Media(asyncio.DatagramProtocol):
    """One call's RTP socket: sends 20 ms frames from the playback queue (or silence), hands received
    audio frames (8 kHz PCM) and keypad keys to callbacks. Nothing is sent before ``start``: the
    gateway starts media once the caller's ACK confirms the call, so an INVITE alone (perhaps with
    someone else's address in its SDP) never makes us stream at anyone."""

    def __init__(self, payload_type: int, dtmf_payload: int | None, remote: tuple[str, int],
                 on_audio: Callable[[bytes], None], on_key: Callable[[str], None] | None = None) -> None:
        self.payload_type, self.dtmf_payload, self.remote = payload_type, dtmf_payload, remote
        self.early_keys: list[str] = []  # keys pressed before the conversation took over (see PhoneCall)
        self.on_audio, self.on_key = on_audio, on_key or self.early_keys.append
        self.on_played: Callable[[], None] = lambda: None  # playback ran to its end (not stopped by barge-in)
        self.transport: asyncio.DatagramTransport | None = None
        self._playback = bytearray()  # 8 kHz 16-bit PCM still to send
        self._sequence, self._timestamp = secrets.randbelow(2**16), secrets.randbelow(2**32)
        self._ssrc = secrets.randbelow(2**32)
        self._first = True
        self._last_event: int | None = None  # timestamp of the last keypad event: its repeats are ignored
        self._sender: asyncio.Task | None = None
        self.dropped = 0

    # Playback -------------------------------------------------------------------------------------
    def play(self, pcm8k: bytes) -> None:
        self._playback += pcm8k

    def stop_playback(self) -> bool:
        """Barge-in: forget what was still to be said; True if something was playing."""
        playing = bool(self._playback)
        self._playback.clear()
        return playing

    @property
    def playing_seconds(self) -> float:
        return len(self._playback) / 2 / 8000

    # asyncio protocol -----------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def start(self) -> None:
        """Begin sending (20 ms frames, silence when there is nothing to say)."""
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_loop())

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            packet = parse_rtp(data)
            if packet is None:
                self.dropped += 1
                return
            if packet.payload_type == self.dtmf_payload:
                event = dtmf_event(packet.payload)
                if event and packet.timestamp != self._last_event:
                    self._last_event = packet.timestamp  # one key, however many packets carry it
                    self.on_key(event[0])
            elif packet.payload_type == self.payload_type and packet.payload:
                self.on_audio(decode(packet.payload[:FRAME_SAMPLES * 4], self.payload_type))
            else:
                self.dropped += 1
        except Exception:  # noqa: BLE001 - a bad packet must never end the call
            self.dropped += 1
            log.exception("dropped an RTP packet")

    def close(self) -> None:
        if self._sender:
            self._sender.cancel()
        if self.transport:
            self.transport.close()

    async def _send_loop(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            frame = bytes(self._playback[: FRAME_SAMPLES * 2])
            del self._playback[: FRAME_SAMPLES * 2]
            if frame and not self._playback:
                self.on_played()
            payload = encode(frame.ljust(FRAME_SAMPLES * 2, b"\0"), self.payload_type) if frame \
                else _SILENCE[self.payload_type]
            header = struct.pack("!BBHII", 0x80, (0x80 if self._first else 0) | self.payload_type,
                                 self._sequence, self._timestamp, self._ssrc)
            self._first = False
            if self.transport and not self.transport.is_closing():
                self.transport.sendto(header + payload, self.remote)
            self._sequence = (self._sequence + 1) % 2**16
            self._timestamp = (self._timestamp + FRAME_SAMPLES) % 2**32
            due += FRAME_SECONDS
            delay = due - loop.time()
            if delay < -0.2:  # far behind (a busy machine): catch up instead of bursting
                due = loop.time()
            await asyncio.sleep(max(0.0, delay))
