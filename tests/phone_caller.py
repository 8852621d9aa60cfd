"""Real telephone callers for the phone-line tests: baresip (Debian) driven through its ctrl_tcp
module, sipp scenarios from tests/data/sipp/, and the gateway (`assistant phone`) as a process.
Waiting is always for an event (a ctrl_tcp event, a transcript entry, a process exit), with a deadline."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
from scipy.signal import correlate

from assistant.phone import sip_alive
from basics.processes import terminate
from basics.settings import load_settings
from tests.servers import TEST_SECRET
from voice.audio import PHONE_RATE, Audio, read_wav, resample, ulaw_wav_bytes
from voice.phone.menu import menu_segments, phone_prompt
from voice.phone.pseudonym import Pseudonyms
from voice.speaker import Speaker

SIPP_DIR = Path(__file__).parent / "data" / "sipp"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_sip_port() -> int:
    """A port baresip can take whole: it listens on UDP and TCP at the port, and TLS at the next one."""
    while True:
        port = free_udp_port()
        try:
            with socket.socket() as tcp, socket.socket() as tls:
                tcp.bind(("127.0.0.1", port))
                tls.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


def free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def env_for(data_dir: Path) -> dict[str, str]:
    """A phone line with no assistant behind it (its webhook points at a closed port)."""
    return {**os.environ, "MYGOV_DATA_DIR": str(data_dir), "MYGOV_SETTINGS_FILE": str(data_dir / "none.yml"),
            "MYGOV_SECRET_KEY": TEST_SECRET, "MYGOV_RASA_PORT": str(free_tcp_port()), "MYGOV_VOICE_RATE": "450",
            "PYTHONUNBUFFERED": "1"}


def sip_request(method: str, port: int, local: tuple[str, int], call_id: str, cseq: int, body: bytes = b"",
                to_tag: str = "", content_type: str = "application/sdp") -> bytes:
    """A SIP request as a raw caller at ``local`` sends it."""
    lines = [f"{method} sip:assistant@127.0.0.1:{port} SIP/2.0",
             f"Via: SIP/2.0/UDP {local[0]}:{local[1]};branch=z9hG4bK{call_id}{cseq}{method}",
             f"From: <sip:raw@{local[0]}:{local[1]}>;tag=raw1", f"To: <sip:assistant@127.0.0.1:{port}>{to_tag}",
             f"Call-ID: {call_id}", f"CSeq: {cseq} {method}", f"Contact: <sip:raw@{local[0]}:{local[1]}>",
             "Max-Forwards: 70"] + ([f"Content-Type: {content_type}"] if body else []) + [f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def replies(sock: socket.socket) -> list[bytes]:
    """Every datagram that arrives within a short while (responses are immediate on loopback)."""
    got = []
    sock.settimeout(1.0)
    try:
        while True:
            got.append(sock.recv(65536))
            sock.settimeout(0.3)
    except socket.timeout:
        return got


def offer(rtp_port: int) -> bytes:
    """A G.711 offer (PCMU and keypad events) with media to ``rtp_port`` on loopback."""
    return (f"v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            f"m=audio {rtp_port} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n").encode()


def status_of(datagrams: list[bytes]) -> list[int]:
    return [int(d[8:11]) for d in datagrams if d.startswith(b"SIP/2.0 ")]


def wait_for(what: str, check: Callable[[], object], timeout: float = 60.0, interval: float = 0.1) -> object:
    """Poll ``check`` until it returns something true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


class PhoneLine:
    """`assistant phone` as a process on a free UDP port, sharing the stack's data dir (and PIN seal key)."""

    def __init__(self, env: dict[str, str], log_dir: Path, **settings: str) -> None:
        self.port = free_udp_port()
        self.env = {**env, "MYGOV_PHONE_PORT": str(self.port),
                    **{f"MYGOV_{k.upper()}": str(v) for k, v in settings.items()}}
        self.calls_dir = Path(self.env["MYGOV_DATA_DIR"]) / "phone-calls"
        self.log = log_dir / f"phone-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"sip:assistant@127.0.0.1:{self.port}"

    def start(self) -> "PhoneLine":
        with open(self.log, "w") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "phone"], env=self.env,
                                            stdout=out, stderr=subprocess.STDOUT)
        wait_for("the phone line to answer OPTIONS",
                 lambda: self._alive_or_fail() and sip_alive("127.0.0.1", self.port, 0.5), 60)
        return self

    def _alive_or_fail(self) -> bool:
        assert self.process and self.process.poll() is None, f"phone line exited:\n{self.log.read_text()[-3000:]}"
        return True

    def alive(self) -> bool:
        return bool(self.process and self.process.poll() is None and sip_alive("127.0.0.1", self.port, 2.0))

    def stop(self) -> int | None:
        if self.process:
            terminate(self.process)
            return self.process.returncode
        return None

    def transcripts(self) -> list[dict]:
        found = []
        for path in sorted(self.calls_dir.glob("*.json")):
            try:
                found.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, json.JSONDecodeError):
                continue
        return found

    def transcript_of(self, caller: "Baresip") -> dict | None:
        """The call of ``caller``, found as an operator would: by the pseudonym of its SIP address."""
        pseudonym = Pseudonyms(load_settings(self.env))(caller.uri)
        return next((t for t in self.transcripts() if t["caller"] == pseudonym), None)

    def sipp(self, scenario: str, work_dir: Path, calls: int = 1, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run one of tests/data/sipp/ against the phone line; returns sipp's result (0: every call passed)."""
        args = ["sipp", "-sf", str(SIPP_DIR / scenario), f"127.0.0.1:{self.port}", "-m", str(calls), "-l", str(calls),
                "-i", "127.0.0.1", "-p", str(free_udp_port()), "-mp", str(free_udp_port()), "-timeout", f"{int(timeout)}s",
                "-timeout_error", "-nostdin", "-trace_err", "-error_file", str(work_dir / f"sipp-{scenario}.err")]
        return subprocess.run(args, cwd=work_dir, capture_output=True, text=True, timeout=timeout + 30)


class Baresip:
    """One baresip caller (its own SIP port, ctrl_tcp port and recordings) driven by JSON commands."""

    def __init__(self, work_dir: Path, user: str, says: Path | None = None) -> None:
        """``says``: a WAV the caller speaks from the moment the call is answered (default: silence)."""
        self.dir = work_dir / f"baresip-{user}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.user = user
        silence = self.dir / "silence.wav"
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(silence), "trim", "0", "600"], check=True)
        if says is not None:
            silence = self.dir / "says.wav"  # 8 kHz, then silence, so the source never runs dry
            subprocess.run(["sox", str(says), "-r", "8000", "-c", "1", "-b", "16", str(silence), "pad", "0", "600"], check=True)
        self.log = self.dir / "baresip.log"
        for attempt in range(3):  # a port free a moment ago may be taken meanwhile (other tests run beside this one)
            self.sip_port, self.ctrl_port = free_sip_port(), free_tcp_port()
            (self.dir / "accounts").write_text(f"<sip:{user}@127.0.0.1:{self.sip_port}>;regint=0\n")
            (self.dir / "config").write_text("\n".join([
                "poll_method epoll", f"sip_listen 127.0.0.1:{self.sip_port}", "net_interface 127.0.0.1",
                f"audio_source aufile,{silence}", "audio_player aufile,/dev/null", "module_path /usr/lib/baresip/modules",
                "module account.so", "module g711.so", "module aufile.so", "module sndfile.so", "module menu.so",
                "module_app ctrl_tcp.so", f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}", f"snd_path {self.dir}", ""]))
            with open(self.log, "w") as out:
                self.process = subprocess.Popen(["baresip", "-f", str(self.dir)], stdin=subprocess.DEVNULL, stdout=out,
                                                stderr=subprocess.STDOUT, start_new_session=True)
            try:
                self.sock: socket.socket = wait_for("baresip's control port", self._connect, 20)  # type: ignore[assignment]
                break
            except AssertionError as failed:
                if "Address already in use" not in str(failed) or attempt == 2:
                    raise
        self._buffer = b""
        self.events: list[dict] = []

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@127.0.0.1:{self.sip_port}"

    def _connect(self) -> socket.socket | None:
        assert self.process.poll() is None, self.log.read_text()
        try:
            return socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
        except OSError:
            return None

    def command(self, name: str, params: str = "") -> None:
        body = json.dumps({"command": name, "params": params, "token": name}).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body + b",")

    def _read(self) -> None:
        self.sock.settimeout(0.1)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return
        self._buffer += chunk
        while b":" in self._buffer:
            size, _, rest = self._buffer.partition(b":")
            if not size.isdigit() or len(rest) < int(size) + 1:
                break
            self.events.append(json.loads(rest[: int(size)]))
            self._buffer = rest[int(size) + 1:]

    def wait_event(self, kind: str, timeout: float = 60) -> dict:
        def seen() -> dict | None:
            self._read()
            return next((e for e in self.events if e.get("type") == kind), None)
        return wait_for(f"baresip event {kind}", seen, timeout, 0)  # type: ignore[return-value]

    def dial(self, uri: str) -> None:
        self.command("dial", uri)
        self.wait_event("CALL_ESTABLISHED", 30)

    def keys(self, keys: str) -> None:
        """RFC 2833 telephone events, one command per key (baresip queues them in order)."""
        for key in keys:
            self.command("sndcode", key)

    def hang_up(self) -> None:
        self.command("hangup")
        self.wait_event("CALL_CLOSED", 30)

    def recording(self) -> Path:
        """What the caller heard (baresip's sndfile dump of the decoded audio)."""
        found = sorted(self.dir.glob("dump-*-dec.wav"))
        assert found, "baresip recorded nothing"
        return found[-1]

    def stop(self) -> None:
        try:
            self.sock.close()
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()


def expected_greeting(settings_env: dict[str, str], rate: int) -> np.ndarray:
    """The welcome and menu as the gateway synthesises them, after a mu-law line."""
    settings = load_settings({**settings_env, "MYGOV_VOICE_RATE": str(rate)})
    speaker = Speaker.from_settings(settings)
    segments = [(phone_prompt("welcome", "ka"), "ka")] + menu_segments("ka")
    pcm = b"".join(resample(speaker.speak(t, lang, rate, settings.voice_volume), PHONE_RATE).pcm for t, lang in segments)
    return read_wav(ulaw_wav_bytes(Audio.from_pcm(pcm, PHONE_RATE))).samples.astype(np.float64)


def best_match(recorded: np.ndarray, expected: np.ndarray) -> float:
    """Normalised cross-correlation of the expected audio with the recording, at the best offset."""
    scores = correlate(recorded, expected, mode="valid", method="fft")
    offset = int(np.argmax(scores))
    window = recorded[offset: offset + len(expected)]
    return float(np.dot(window, expected) / (np.linalg.norm(window) * np.linalg.norm(expected) + 1e-9))
