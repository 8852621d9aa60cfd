"""Say clearly when a port is taken, before a server fails with a stack trace."""
from __future__ import annotations

import socket


class PortInUse(RuntimeError):
    pass


def ensure_free(host: str, port: int, what: str, protocol: int = socket.SOCK_STREAM) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, protocol) as probe:
        # As servers do: a port left in TIME_WAIT by a server that just stopped is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise PortInUse(f"{what} cannot start: port {port} on {host} is already in use. "
                            f"Stop whatever uses it, or choose another port.") from None
