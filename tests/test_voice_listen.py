"""Recognition as a caller meets it: offline English commands and sentences, a Georgian online
engine that cannot be reached (told at once, typing and keypad offered), and bad recordings of
every kind answered with a clear message, never a crash or a hang."""
from __future__ import annotations

import http.server
import json
import logging
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from basics.settings import load_settings
from tests.servers import free_port
from voice.audio import Audio, resample, wav_bytes
from voice.listener import Listener
from voice.synthetic import user_says
from voice.vad import frames

KEY = "operator-test-key"


@pytest.fixture(scope="module")
def listener() -> Listener:
    return Listener(load_settings({"MYGOV_SETTINGS_FILE": "/nonexistent.yml"}))


def write(path: Path, audio: Audio) -> Path:
    path.write_bytes(wav_bytes(audio))
    return path


def listen_cli(path: Path, *args: str, **env: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "listen", str(path), "--json", *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MYGOV_SETTINGS_FILE": "/nonexistent.yml", **env})
    return json.loads(done.stdout)


def test_an_english_sentence_is_recognised_offline(tmp_path: Path) -> None:
    result = listen_cli(write(tmp_path / "hello.wav", user_says("I want to change my address")), "--lang", "en")
    assert result["text"] == "i want to change my address" and result["engine"] == "sphinx"
    assert 0 < result["confidence"] <= 1


def test_georgian_without_network_says_so_and_offers_typing(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/speech-api/v2/recognize"
    result = listen_cli(write(tmp_path / "ka.wav", user_says("გამარჯობა", "ka")), "--lang", "ka",
                        MYGOV_VOICE_ASR_KA="google", MYGOV_VOICE_GOOGLE_KEY=KEY,
                        MYGOV_VOICE_GOOGLE_ENDPOINT=closed, MYGOV_VOICE_ONLINE_TIMEOUT_SECONDS="2")
    assert result["problem"] == "unavailable" and result["engine"] == "google"
    assert "აკრიფეთ" in result["message"] and "კლავიატურით" in result["message"]  # type / keypad


class FakeGoogle(http.server.BaseHTTPRequestHandler):
    """Answers like Google's speech API v2 (one empty result line, then the real one); keeps each request's path."""

    paths: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        FakeGoogle.paths.append(self.path)
        assert "lang=ka-GE" in self.path and "flac" in self.headers["Content-Type"]
        body = '{"result":[]}\n' + json.dumps({"result": [{"alternative": [
            {"transcript": "გამარჯობა", "confidence": 0.93}, {"transcript": "გამარჯობათ"}], "final": True}],
            "result_index": 0}, ensure_ascii=False)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_google() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), FakeGoogle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGoogle.paths.clear()
    yield f"http://127.0.0.1:{server.server_port}/speech-api/v2/recognize"
    server.shutdown()


def online(endpoint: str, **settings: str) -> Listener:
    return Listener(load_settings({"MYGOV_SETTINGS_FILE": "/nonexistent.yml", "MYGOV_VOICE_GOOGLE_ENDPOINT": endpoint,
                                   **{f"MYGOV_{k.upper()}": v for k, v in settings.items()}}))


def test_georgian_through_the_online_engine_with_the_operators_key(fake_google: str) -> None:
    heard = online(fake_google, voice_asr_ka="google", voice_google_key=KEY).hear(user_says("გამარჯობა", "ka"), "ka")
    assert (heard.transcript.text, heard.transcript.confidence, heard.transcript.engine) == ("გამარჯობა", 0.93, "google")
    assert [f"key={KEY}" in path for path in FakeGoogle.paths] == [True]


@pytest.mark.parametrize("settings, why", [
    ({}, "switched off"),  # the default: Georgian speech leaves the machine only when the operator chose it
    ({"voice_asr_ka": "google"}, "MYGOV_VOICE_GOOGLE_KEY"),  # no shared library key
    ({"voice_asr_ka": "google", "voice_google_key": KEY, "endpoint": "http://speech.example.ge/recognize"}, "https://"),
])
def test_the_online_engine_is_opt_in_keyed_and_encrypted(fake_google: str, caplog: pytest.LogCaptureFixture,
                                                         settings: dict[str, str], why: str) -> None:
    listener = online(settings.pop("endpoint", fake_google), **settings)
    with caplog.at_level(logging.INFO, logger="voice.asr"):
        for _ in range(2):
            heard = listener.hear(user_says("გამარჯობა", "ka"), "ka")
            assert heard.problem == "unavailable" and why in heard.detail
    assert FakeGoogle.paths == []  # nothing was sent anywhere
    assert [why in r.getMessage() for r in caplog.records] == [True]  # said once in the log


def test_whisper_not_installed_is_reported() -> None:
    settings = load_settings({"MYGOV_SETTINGS_FILE": "/nonexistent.yml", "MYGOV_VOICE_ASR_EN": "whisper"})
    heard = Listener(settings).hear(user_says("hello"), "en")
    assert heard.problem == "unavailable" and "faster-whisper" in heard.detail


# --- bad audio ---------------------------------------------------------------------------------

def test_silence_is_heard_as_nothing(listener: Listener) -> None:
    assert listener.hear(Audio(np.zeros(16000 * 3, dtype=np.int16), 16000), "en").problem == "no_speech"


def test_white_noise_is_not_taken_for_words(listener: Listener) -> None:
    noise = np.random.default_rng(5).normal(0, 3000, 16000 * 3).astype(np.int16)
    heard = listener.hear(Audio(noise, 16000), "en", commands_first=True)
    assert heard.problem == "noise" and heard.transcript.text == ""


def test_other_sample_rates_and_stereo_are_understood(tmp_path: Path, listener: Listener) -> None:
    speech = user_says("cancel")
    at_44k = write(tmp_path / "44k.wav", resample(speech, 44100))
    assert listener.hear_file(str(at_44k), "en", commands_only=True).transcript.text == "cancel"
    left = resample(speech, 48000).samples
    stereo = np.column_stack([left, left // 2]).astype("<i2").tobytes()
    header = wav_bytes(Audio(np.zeros(0, dtype=np.int16), 48000))
    header = header[:22] + struct.pack("<HIIHH", 2, 48000, 48000 * 4, 4, 16) + header[36:40] + struct.pack("<I", len(stereo))
    (tmp_path / "stereo.wav").write_bytes(header + stereo)
    assert listener.hear_file(str(tmp_path / "stereo.wav"), "en", commands_only=True).transcript.text == "cancel"


@pytest.mark.parametrize("damage", ["truncated header", "not a wav", "empty", "no data chunk"])
def test_damaged_files_get_a_clear_message(tmp_path: Path, listener: Listener, damage: str) -> None:
    good = wav_bytes(user_says("yes"))
    content = {"truncated header": good[:30], "not a wav": os.urandom(4000), "empty": b"",
               "no data chunk": good[:36]}[damage]
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    heard = listener.hear_file(str(path), "en")
    assert heard.problem == "bad_audio" and ("damaged" in heard.detail or "not a WAV" in heard.detail)


def test_the_listen_command_explains_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(wav_bytes(user_says("yes"))[:30])
    result = listen_cli(path)
    assert result["problem"] == "bad_audio" and result["message"] == "I could not read that recording. Please try again."


def test_a_thirty_minute_recording_is_refused_without_processing_it(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    silence = Audio(np.zeros(16000 * 60 * 30, dtype=np.int16), 16000)
    path.write_bytes(wav_bytes(silence))
    result = listen_cli(path)
    assert result["problem"] == "too_long" and "30 minutes" in result["detail"]
    assert result["message"] == "That recording is too long. Please say it in a shorter message."


def test_phone_audio_and_odd_encodings_are_read(tmp_path: Path, listener: Listener) -> None:
    from voice.audio import read_wav, ulaw_wav_bytes
    speech = user_says("repeat")
    assert listener.hear(read_wav(ulaw_wav_bytes(speech)), "en", commands_only=True).transcript.text == "repeat"
    streamed = subprocess.run(["espeak-ng", "--stdout", "hello"], capture_output=True).stdout  # size field 0x7fffffff
    assert read_wav(streamed).duration > 0.3


@pytest.mark.parametrize("words, engine", [("I want to change my address", "sphinx"), ("repeat", "commands"),
                                           ("one two three", "commands")])
def test_speech_decoded_while_it_arrives_is_understood_when_it_ends(listener: Listener, words: str, engine: str) -> None:
    live = listener.live("en", commands_first=True)
    arriving = frames(user_says(words)) + [bytes(640)] * 100  # then silence, as a microphone keeps sending
    ended_at = next(i for i, frame in enumerate(arriving) if live.feed(frame))
    assert ended_at < len(arriving) - 1  # the end of speech was found before the silence ran out
    heard = live.heard()
    assert (heard.transcript.text, heard.transcript.engine) == (words.lower(), engine)


def test_an_interrupted_utterance_gives_its_decoders_back(listener: Listener) -> None:
    from voice.sphinx import stream_pool

    first = listener.live("en", commands_first=True)
    first.feed(frames(user_says("help"))[0])
    first.close()
    free = len(stream_pool()._free)
    second = listener.live("en", commands_first=True)  # takes the decoder the first gave back
    assert len(stream_pool()._free) == free - 1
    second.close()
