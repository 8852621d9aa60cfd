"""The telephone line: SIP signalling, RTP media and the per-call conversation (see docs/phone.md)."""
