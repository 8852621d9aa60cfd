"""The phone line under callers who do not behave: silent, hanging up mid-sentence, A-law only,
malformed SIP, RTP garbage, calls longer than allowed. No assistant is running behind the line
here (its webhook points at a closed port): the gateway must stay up and tell the caller so."""
from __future__ import annotations

import os
import re
import socket
import struct
import subprocess
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from basics.processes import terminate
from tests.phone_caller import SIPP_DIR, Baresip, PhoneLine, env_for, free_udp_port, offer, replies, sip_request, status_of, wait_for
from voice.audio import Audio, wav_bytes
from voice.synthetic import user_says

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoneLine]:
    data_dir = tmp_path_factory.mktemp("phone-robust")
    phone = PhoneLine(env_for(data_dir), data_dir, phone_silence_seconds="1").start()
    yield phone
    assert phone.stop() == 0  # SIGTERM: every call hung up, a clean exit


def keys_pressed(line: PhoneLine) -> list[str]:
    """The keys of the newest call, in order."""
    calls = line.transcripts()
    return [e["key"] for e in max(calls, key=lambda t: t["started"])["events"] if e["kind"] == "key"] if calls else []


def kinds(transcript: dict) -> list[str]:
    return [e["kind"] for e in transcript["events"]]


def test_a_silent_caller_is_prompted_again_then_offered_the_menu_then_hung_up_on(line: PhoneLine, tmp_path: Path) -> None:
    before = len(line.transcripts())
    done = line.sipp("silent_caller.xml", tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]  # sipp got the gateway's BYE and answered it
    transcript = wait_for("the transcript", lambda: line.transcripts()[before:] and line.transcripts()[before], 30)
    assert transcript["ended_by"] == "silence"  # type: ignore[index]
    prompts = [e["texts"][0] for e in transcript["events"] if e["kind"] == "prompt"]  # type: ignore[index]
    assert prompts[1].startswith("ვერაფერი გავიგე")  # said again once ...
    assert prompts[2].startswith("შეტყობინებებისთვის აკრიფეთ ერთი")  # ... then the keypad menu
    assert [e["count"] for e in transcript["events"] if e["kind"] == "silence"] == [1, 2, 3]  # type: ignore[index]


def test_a_caller_who_hangs_up_mid_prompt_ends_the_call_cleanly(line: PhoneLine, tmp_path: Path) -> None:
    before = len(line.transcripts())
    done = line.sipp("hang_up_mid_prompt.xml", tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]
    transcript = wait_for("the call to end", lambda: (lambda t: t[before] if len(t) > before and t[before]["state"] == "ended"
                                                      else None)(line.transcripts()), 30)
    assert transcript["ended_by"] == "caller" and "played" not in kinds(transcript)  # type: ignore[index,arg-type]
    assert line.alive()


def test_a_law_only_caller_is_answered_in_a_law(line: PhoneLine, tmp_path: Path) -> None:
    before = len(line.transcripts())
    assert line.sipp("short_call_alaw.xml", tmp_path).returncode == 0
    transcript = wait_for("the call", lambda: len(line.transcripts()) > before and line.transcripts()[before], 30)
    assert transcript["codec"] == "PCMA"  # type: ignore[index]


def test_malformed_sip_and_rtp_garbage_do_not_hurt_the_gateway(line: PhoneLine, tmp_path: Path) -> None:
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind(("127.0.0.1", 0))
    local = sip.getsockname()
    target = ("127.0.0.1", line.port)
    garbage = [os.urandom(300), b"\x00" * 10, b"INVITE\r\n\r\n", b"INVITE sip:x SIP/2.0\r\nVia: x\r\n\r\n",
               b"SIP/2.0 200 OK\r\n\r\n", b"INVITE sip:a@b SIP/2.0\r\nNo colon here\r\n\r\n",
               "INVITE sip:ა SIP/2.0\r\nVia: ა\r\n\r\n".encode(), b"\xff\xfe" * 5000, b"A" * 60000,
               sip_request("INVITE", line.port, local, "c1", 1).replace(b"CSeq: 1 INVITE", b"CSeq: x INVITE"),
               sip_request("INVITE", line.port, local, "c2", 1).replace(b"Content-Length: 0", b"Content-Length: -5")]
    for datagram in garbage:
        sip.sendto(datagram, target)
    assert replies(sip) == []  # nothing to answer: dropped
    sip.sendto(sip_request("INVITE", line.port, local, "nosdp", 1, b"v=0\r\nm=video 9 RTP/AVP 96\r\n"), target)
    sip.sendto(sip_request("BYE", line.port, local, "unknown", 2), target)
    sip.sendto(sip_request("OPTIONS", line.port, local, "opt", 1), target)
    sip.sendto(sip_request("SUBSCRIBE", line.port, local, "sub", 1), target)
    assert sorted(status_of(replies(sip))) == [200, 481, 488, 501]

    # A real call from this socket, then RTP garbage at its media port, then keys both ways.
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    sip.sendto(sip_request("INVITE", line.port, local, "good", 1, offer(rtp.getsockname()[1])), target)
    answers = replies(sip)
    ok = next(d for d in answers if d.startswith(b"SIP/2.0 200"))
    media_port = int(re.search(rb"m=audio (\d+)", ok).group(1))  # type: ignore[union-attr]
    to_tag = ";tag=" + re.search(rb"^To:.*;tag=([^;\r\n]+)", ok, re.M).group(1).decode()  # type: ignore[union-attr]
    sip.sendto(sip_request("ACK", line.port, local, "good", 1, to_tag=to_tag), target)
    for junk in [os.urandom(200) for _ in range(100)] + [
            b"\x80", b"\x8f\x00" + b"\x00" * 10,  # 15 CSRCs announced, none there
            b"\x90\x00" + b"\x00" * 10 + b"\x00\x00\xff\xff",  # an extension longer than the packet
            b"\xa0\x00" + b"\x00" * 10 + b"\xff",  # padding longer than the packet
            struct.pack("!BBHII", 0x80, 101, 1, 1, 1) + b"\x63\x00",  # a keypad event cut short
            struct.pack("!BBHII", 0x80, 101, 2, 2, 1) + bytes([200, 0x80, 0, 160])]:  # no such key
        rtp.sendto(junk, ("127.0.0.1", media_port))
    sip.sendto(sip_request("INFO", line.port, local, "good", 2, b"Signal=1\r\nDuration=160\r\n", to_tag,
                           "application/dtmf-relay"), target)
    assert 200 in status_of(replies(sip))
    wait_for("key 1 (SIP INFO)", lambda: keys_pressed(line) == ["1"], 30)
    for repeat in range(3):  # the key 4 (RFC 4733: the end packet is sent three times, one key)
        rtp.sendto(struct.pack("!BBHII", 0x80, 101, 10 + repeat, 8000, 1) + bytes([4, 0x80, 0, 160]), ("127.0.0.1", media_port))
    wait_for("key 4 (RFC 4733)", lambda: keys_pressed(line) == ["1", "4"], 30)
    # The assistant being down was said, not fatal:
    wait_for("the 'assistant is down' prompt", lambda: any(
        e["kind"] == "assistant_unreachable" for t in line.transcripts() for e in t["events"]), 30)
    sip.sendto(sip_request("BYE", line.port, local, "good", 3, to_tag=to_tag), target)
    assert 200 in status_of(replies(sip))
    sip.close()
    rtp.close()
    # And a normal call still works.
    assert line.sipp("short_call_alaw.xml", tmp_path).returncode == 0
    assert line.alive()


def test_a_call_longer_than_allowed_is_ended_politely(tmp_path: Path) -> None:
    phone = PhoneLine(env_for(tmp_path), tmp_path, phone_max_call_seconds="2", phone_silence_seconds="60").start()
    try:
        done = phone.sipp("silent_caller.xml", tmp_path)
        assert done.returncode == 0, done.stdout[-2000:]  # the gateway hung up (BYE) and sipp answered it
        transcript = wait_for("the end", lambda: phone.transcripts() and phone.transcripts()[0]["state"] == "ended"
                              and phone.transcripts()[0], 30)
        assert transcript["ended_by"] == "time_limit"  # type: ignore[index]
        last_prompt = [e for e in transcript["events"] if e["kind"] == "prompt"][-1]  # type: ignore[index]
        assert last_prompt["texts"][0].startswith("ზარის დრო ამოიწურა")
    finally:
        assert phone.stop() == 0


def test_speech_interrupts_the_greeting_and_is_recognised(tmp_path: Path) -> None:
    """English line (offline recognition exists for English only): the caller says "help" two seconds
    into the greeting; playback stops (barge-in) and the command recogniser hears "help"."""
    events = spoken_call(tmp_path, user_says("help"), phone_language="en")
    heard = next(e for e in events if e["kind"] == "heard")
    assert heard["text"] == "help" and heard["engine"] == "commands"


def test_georgian_speech_without_a_recogniser_turns_to_the_keypad(tmp_path: Path) -> None:
    """Georgian line with no Georgian recogniser reachable (none works offline): the caller is told to
    use the keypad and hears the menu."""
    events = spoken_call(tmp_path, user_says("გამარჯობა, ჩემი შეტყობინებები", "ka"), voice_asr_ka="none")
    heard = next(e for e in events if e["kind"] == "heard")
    assert heard["problem"] == "unavailable"
    after = events[events.index(heard):]
    assert any(e["kind"] == "prompt" and e["texts"][0].startswith("ხმის ამოცნობა ახლა მიუწვდომელია") for e in after)


def spoken_call(tmp_path: Path, speech: Audio, **settings: str) -> list[dict]:
    """A baresip caller who speaks two seconds into the greeting; the call's events once it was heard.
    Checks the speech stopped the greeting (barge-in) before it had played to its end."""
    said = tmp_path / "said.wav"
    said.write_bytes(wav_bytes(Audio(np.concatenate([np.zeros(2 * speech.rate, np.int16), speech.samples]), speech.rate)))
    phone = PhoneLine(env_for(tmp_path), tmp_path, phone_silence_seconds="60", **settings).start()
    caller = Baresip(tmp_path, "speaker", says=said)
    try:
        caller.dial(phone.uri)
        wait_for("the caller's words to be heard and answered", lambda: any(
            e["kind"] == "prompt" for t in phone.transcripts() for e in t["events"][1:]), 60)
        events = phone.transcripts()[0]["events"]
        caller.hang_up()
    finally:
        caller.stop()
        assert phone.stop() == 0
    barge_in = events.index({"kind": "barge_in", "by": "speech"})
    assert not any(e["kind"] == "played" for e in events[:barge_in])
    return events


@pytest.mark.parametrize("password, outcome", [("s3cret-pbx", "registered with 127.0.0.1 for 60 s"),
                                               ("wrong", "the registrar refused registration (403)")])
def test_the_gateway_registers_with_a_pbx_using_digest_authentication(tmp_path: Path, password: str, outcome: str) -> None:
    registrar_port = free_udp_port()
    registrar = subprocess.Popen(["sipp", "-sf", str(SIPP_DIR / "registrar.xml"), "-i", "127.0.0.1", "-p", str(registrar_port),
                                  "-m", "1", "-nostdin", "-timeout", "60s", "-timeout_error"], cwd=tmp_path,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    phone = PhoneLine(env_for(tmp_path), tmp_path, phone_registrar=f"127.0.0.1:{registrar_port}",
                      phone_username="gateway", phone_password=password)
    try:
        phone.start()
        wait_for(outcome, lambda: outcome in phone.log.read_text(), 30)
        assert registrar.wait(timeout=30) == 0
        assert password not in phone.log.read_text()
    finally:
        terminate(registrar)
        assert phone.stop() == 0


def test_stopping_the_gateway_hangs_up_its_calls(tmp_path: Path) -> None:
    phone = PhoneLine(env_for(tmp_path), tmp_path, phone_silence_seconds="60").start()
    caller = subprocess.Popen(["sipp", "-sf", str(SIPP_DIR / "silent_caller.xml"), f"127.0.0.1:{phone.port}", "-m", "1",
                               "-i", "127.0.0.1", "-p", str(free_udp_port()), "-mp", str(free_udp_port()), "-nostdin",
                               "-timeout", "60s", "-timeout_error"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for("the call", lambda: phone.transcripts() and phone.transcripts()[0]["events"], 30)
        assert phone.stop() == 0  # SIGTERM
        assert caller.wait(timeout=30) == 0  # the caller got a BYE and answered it
        assert phone.transcripts()[0]["ended_by"] == "shutdown"
    finally:
        terminate(caller)
