"""A real SMTP server for the alert tests: STARTTLS required, then AUTH (PLAIN/LOGIN) with one user, each message
saved as <maildir>/<n>.eml. Prints 'READY <port>' once it listens on 127.0.0.1. Run by AlertsIntegrationTest."""
import argparse
import pathlib
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, maildir):
        self.maildir = pathlib.Path(maildir)
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        tmp = self.maildir / f".{n}.tmp"
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(self.maildir / f"{n:04d}.eml")
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password-file", required=True)
    p.add_argument("--maildir", required=True)
    a = p.parse_args()
    password = pathlib.Path(a.password_file).read_text().strip().encode()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == a.user.encode() and auth_data.password == password
        return AuthResult(success=ok, handled=False)

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.cert, a.key)
    c = Controller(Saver(a.maildir), hostname="127.0.0.1", port=a.port, tls_context=ctx, require_starttls=True,
                   auth_required=True, auth_require_tls=True, authenticator=authenticator)
    c.start()
    print(f"READY {a.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
