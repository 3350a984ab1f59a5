"""Runs a command in a new pseudo-terminal, as a terminal emulator does, for tests that must press Ctrl-C.

The command becomes a session leader with the pty as its controlling terminal, so the kernel's line discipline
turns a typed Ctrl-C (\\x03) into SIGINT for the whole foreground process group, exactly as in a real terminal.
Everything the command prints is copied to stdout. A line "ctrl-c" on stdin types Ctrl-C. When the command
exits, the last line printed is "exit <status>".
"""
import os
import pty
import select
import sys

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

stdin_open = True
while True:
    readers = [fd] + ([sys.stdin.fileno()] if stdin_open else [])
    ready, _, _ = select.select(readers, [], [], 0.2)
    if fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if data:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
    if sys.stdin.fileno() in ready:
        line = sys.stdin.readline()
        if not line:
            stdin_open = False
        elif line.strip() == "ctrl-c":
            os.write(fd, b"\x03")
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        # Drain what is left of the output.
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            sys.stdout.buffer.write(data)
        code = os.waitstatus_to_exitcode(status)
        sys.stdout.write(f"\nexit {code}\n")
        sys.stdout.flush()
        break
