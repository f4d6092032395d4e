#!/usr/bin/env python3
"""Forward monitor commands from a guest to QEMU.

Usage: monitor.py CONSOLE_LOG MONITOR_SOCKET

Follows the guest's console log while QEMU runs. For every line
"# ims-test: monitor <command>" the guest prints, sends <command> to the
QEMU human monitor on the unix socket, and logs what it sent. Ends when
the socket goes away (QEMU exited).

One command is the watcher's own: "wakeup-when-suspended" polls the
guest's run state until it reads "suspended" (the guest prints the line,
then suspends to RAM) and sends "system_wakeup" then, within 120 s."""
import os
import socket
import sys
import threading
import time

MARK = "# ims-test: monitor "


def send(sock_path, command):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock_path)
        s.settimeout(5)
        s.sendall((command + "\n").encode())
        time.sleep(0.5)


def ask(sock_path, command):
    """Send command, return what the monitor printed."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(sock_path)
        s.settimeout(1)
        s.sendall((command + "\n").encode())
        out = b""
        end = time.time() + 2
        while time.time() < end:
            try:
                data = s.recv(4096)
            except socket.timeout:
                break
            if not data:
                break
            out += data
        return out.decode(errors="replace")


def wakeup_when_suspended(sock_path):
    end = time.time() + 120
    while time.time() < end:
        try:
            if "suspended" in ask(sock_path, "info status"):
                time.sleep(1)
                send(sock_path, "system_wakeup")
                print("[monitor] guest suspended: sent system_wakeup", flush=True)
                return
        except OSError:
            pass
        time.sleep(0.5)
    print("[monitor] the guest did not suspend within 120 s", flush=True)


def main():
    log, sock_path = sys.argv[1], sys.argv[2]
    while not os.path.exists(log):
        time.sleep(0.2)
    pos = 0
    pending = ""
    while True:
        with open(log, "rb") as f:
            f.seek(pos)
            chunk = f.read()
            pos += len(chunk)
        pending += chunk.decode(errors="replace")
        lines = pending.split("\n")
        pending = lines.pop()
        for line in lines:
            line = line.rstrip("\r")
            if line.startswith(MARK):
                command = line[len(MARK):]
                if command == "wakeup-when-suspended":
                    threading.Thread(target=wakeup_when_suspended, args=(sock_path,),
                                     daemon=True).start()
                    continue
                try:
                    send(sock_path, command)
                    print(f"[monitor] sent: {command}", flush=True)
                except OSError as e:
                    print(f"[monitor] could not send {command!r}: {e}", flush=True)
        if not os.path.exists(sock_path) and pos > 0:
            time.sleep(0.5)
            if not os.path.exists(sock_path):
                return
        time.sleep(0.2)


if __name__ == "__main__":
    main()
