"""`assistant talk` with a microphone and speakers: earcons, end-of-speech by VAD, barge-in (the
user speaking stops playback) and a hidden keypad/typed fallback in the terminal for PINs and when
recognition is unavailable. Needs PortAudio and a sound card; `available()` says why not."""
from __future__ import annotations

import getpass
import queue

from basics.settings import Settings
from voice.audio import ASR_RATE, Audio
from voice.earcons import listening, working
from voice.listener import Heard
from voice.prompts import prompt
from voice.talk import Exchange, TalkSession
from voice.vad import FRAME_SAMPLES, Endpointer


def available() -> str | None:
    """None when a microphone and speakers can be used; otherwise the reason, for the user."""
    try:
        import sounddevice as sd
        sd.query_devices(kind="input"), sd.query_devices(kind="output")
    except Exception as exc:  # ImportError, OSError without PortAudio, PortAudioError without devices
        return f"no microphone or speakers here ({exc}); run with --input-wav FILE... --output-dir DIR"
    return None


class Microphone:
    """16 kHz mono frames from the default input device, 20 ms at a time."""

    def __init__(self) -> None:
        import sounddevice as sd
        self.frames: "queue.Queue[bytes]" = queue.Queue()
        self.stream = sd.RawInputStream(samplerate=ASR_RATE, channels=1, dtype="int16", blocksize=FRAME_SAMPLES,
                                        callback=lambda data, *_: self.frames.put(bytes(data)))
        self.stream.start()

    def hear(self, session: TalkSession, first: list[bytes] | None = None) -> Heard:
        """One utterance, decoded while it is spoken, until the end of speech (or the length limit)."""
        live = session.listener.live(session.lang, commands_first=True)
        for frame in first or []:
            live.feed(frame)
        while not live.feed(self.frames.get()):
            pass
        return live.heard()


def play(audio: Audio, microphone: Microphone, settings: Settings) -> list[bytes]:
    """Play; if the user starts speaking, stop at once and return the speech heard so far."""
    import sounddevice as sd
    sd.play(audio.samples, audio.rate)
    endpointer = Endpointer(settings.voice_vad_mode, settings.voice_end_of_speech_ms)
    heard: list[bytes] = []
    while sd.get_stream().active:
        try:
            frame = microphone.frames.get(timeout=0.1)
        except queue.Empty:
            continue
        heard.append(frame)
        endpointer.feed(frame)
        if endpointer.first_speech is not None:
            sd.stop()
            return heard[endpointer.first_speech:]
    return []


def run_microphone(session: TalkSession) -> int:
    """The spoken conversation until the user says goodbye or presses Ctrl+C."""
    microphone = Microphone()
    settings = session.settings
    barged: list[bytes] = []
    print(prompt("mic_ready", session.lang), flush=True)
    while True:
        if not barged:
            play(listening(), microphone, settings)
        heard = microphone.hear(session, barged)
        play(working(), microphone, settings)
        exchange = session.take_heard(heard)
        barged = _speak(exchange, microphone, session)
        if exchange.ends:
            return 0
        if exchange.problem == "unavailable" or exchange.expects == "pin":
            typed = getpass.getpass("Type your answer (not shown, not spoken), Enter to send: ")
            barged = _speak(session.send_text(typed), microphone, session) if typed else []


def _speak(exchange: Exchange, microphone: Microphone, session: TalkSession) -> list[bytes]:
    print("\n".join(exchange.replies), flush=True)  # also on screen, for braille displays and screen readers
    return play(exchange.audio, microphone, session.settings) if exchange.audio is not None else []

