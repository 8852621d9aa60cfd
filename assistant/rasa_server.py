"""`rasa run` with files created private (mode 600): the tracker store and Rasa's own files hold conversations."""
from __future__ import annotations

import os
import sys


def main() -> None:
    os.umask(0o077)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
