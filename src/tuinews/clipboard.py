"""Copying text to the system clipboard through the program the desktop provides.

Where one is found (wl-copy under Wayland, xclip or xsel under X, pbcopy on macOS) it
gets the text on its standard input, run from an argument list, never a shell, and it
says whether it took the text. Where none is (a remote shell, a bare console), the
caller falls back to the terminal's own clipboard (OSC 52), which gives no answer: it
must not claim the text was copied.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping

COPY_TIMEOUT = 2.0  # seconds: a clipboard program that hangs must not hold the reader


def clipboard_programs(env: Mapping[str, str] = os.environ) -> list[list[str]]:
    """The commands that can take text here, best first."""
    programs = []
    if env.get("WAYLAND_DISPLAY"):
        programs.append(["wl-copy"])
    if env.get("DISPLAY"):
        programs += [["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"]]
    if sys.platform == "darwin":
        programs.append(["pbcopy"])
    return programs


def copy_with_program(text: str, env: Mapping[str, str] = os.environ) -> str | None:
    """Copy `text` with the first clipboard program that takes it; its name, or None."""
    for command in clipboard_programs(env):
        path = shutil.which(command[0], path=env.get("PATH"))
        if path is None:
            continue
        try:
            done = subprocess.run(
                [path, *command[1:]],
                input=text.encode("utf-8"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=COPY_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return command[0]
    return None
