"""The phone line against callers who try to tie it up or turn it on someone: a call holds its place
from the INVITE (not the ACK), no media is sent before the ACK, one source address gets a budget of
INVITEs a minute while everyone else still gets through, and transcripts hold no Call-ID. Raw SIP
from sockets bound to other loopback addresses (each is a source of its own), sipp as the normal caller."""
from __future__ import annotations

import re
import socket
import stat
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from tests.phone_caller import PhoneLine, env_for, offer, replies, sip_request, status_of

pytestmark = pytest.mark.e2e


def bound(address: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 0))
    return sock


def invite(line: PhoneLine, sip: socket.socket, call_id: str, rtp_port: int) -> None:
    sip.sendto(sip_request("INVITE", line.port, sip.getsockname(), call_id, 1, offer(rtp_port)), ("127.0.0.1", line.port))


def final_statuses(datagrams: list[bytes]) -> dict[str, int]:
    """The final answer to each Call-ID."""
    found = {}
    for datagram in datagrams:
        call_id = re.search(rb"^Call-ID: *(\S+)", datagram, re.M | re.I)
        if call_id and status_of([datagram]) and status_of([datagram])[0] >= 200:
            found[call_id.group(1).decode()] = status_of([datagram])[0]
    return found


@pytest.fixture
def line(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[PhoneLine]:
    phone = PhoneLine(env_for(tmp_path), tmp_path, phone_silence_seconds="60", **request.param).start()
    yield phone
    assert phone.stop() == 0


@pytest.mark.parametrize("line", [{"phone_max_calls": "1"}], indirect=True)
def test_an_invite_never_acked_holds_its_place_and_gets_no_media(line: PhoneLine, tmp_path: Path) -> None:
    sip, rtp, other = bound("127.0.0.1"), bound("127.0.0.1"), bound("127.0.0.2")
    call_id = f"unacked-{uuid.uuid4().hex}"
    invite(line, sip, call_id, rtp.getsockname()[1])
    invite(line, other, f"second-{uuid.uuid4().hex}", rtp.getsockname()[1])  # at once, before the first is answered
    assert status_of(replies(other)) == [486]  # the one place is taken by the call being set up
    ok = next(d for d in replies(sip) if d.startswith(b"SIP/2.0 200"))
    rtp.settimeout(2.5)  # the gateway resends its 200 OK three times meanwhile: it is waiting for the ACK
    with pytest.raises(socket.timeout):
        rtp.recv(2048)
    invite(line, other, f"third-{uuid.uuid4().hex}", rtp.getsockname()[1])
    assert status_of(replies(other)) == [486]  # still taken: answered, not yet confirmed
    to_tag = ";tag=" + re.search(rb"^To:.*;tag=([^;\r\n]+)", ok, re.M).group(1).decode()  # type: ignore[union-attr]
    sip.sendto(sip_request("ACK", line.port, sip.getsockname(), call_id, 1, to_tag=to_tag), ("127.0.0.1", line.port))
    rtp.settimeout(5)
    assert rtp.recv(2048)[0] >> 6 == 2  # RTP, now that the call is confirmed
    sip.sendto(sip_request("BYE", line.port, sip.getsockname(), call_id, 2, to_tag=to_tag), ("127.0.0.1", line.port))
    assert 200 in status_of(replies(sip))
    assert line.sipp("short_call_alaw.xml", tmp_path).returncode == 0  # the place is free again
    written = list(line.calls_dir.glob("*.json"))  # a call still being written has a .tmp that becomes its .json
    assert written and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    assert stat.S_IMODE(line.calls_dir.stat().st_mode) == 0o700
    assert not any(call_id in p.read_text() for p in written)  # pseudonyms, not Call-IDs
    for sock in (sip, rtp, other):
        sock.close()


@pytest.mark.parametrize("line", [{"phone_invites_per_minute": "5", "phone_max_calls": "20"}], indirect=True)
def test_a_flood_of_invites_from_one_source_is_limited_and_others_still_get_through(line: PhoneLine, tmp_path: Path) -> None:
    flood, sink = bound("127.0.0.3"), bound("127.0.0.3")
    for number in range(30):
        invite(line, flood, f"flood-{number}-{uuid.uuid4().hex}", sink.getsockname()[1])
    answered = replies(flood)
    statuses = final_statuses(answered)
    assert sorted(statuses.values()) == [200] * 5 + [503] * 25
    retry_after = {int(m) for m in re.findall(rb"^Retry-After: *(\d+)", b"".join(answered), re.M | re.I)}
    assert retry_after and all(1 <= seconds <= 60 for seconds in retry_after)
    sink.settimeout(1.0)
    with pytest.raises(socket.timeout):  # none of the five answered calls was ACKed: no media at anyone
        sink.recv(2048)
    assert line.sipp("short_call_alaw.xml", tmp_path).returncode == 0  # another source is not held back
    assert line.log.read_text().count("refused an INVITE") <= 10  # nor is the log flooded
    for sock in (flood, sink):
        sock.close()
