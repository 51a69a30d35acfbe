#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gtk-vnc's VncDisplay in a window of its own, logging in without a dialog.

  gtkvnc-view.py HOST PORT

gvncviewer asks for a user name and a password in a dialog; this does what
it does with VNC_USERNAME and VNC_PASSWORD from the environment instead,
so that a test can log in through gtk-vnc unattended.  The CA that checks
the server's certificate is gtk-vnc's own choice: it asks for the
"client name" credential and then reads CA/cacert.pem under SYSCONFDIR/pki
or the user's ~/.pki (the home of the passwd entry, not $HOME).  One line
per event on stdout: credentials asked, connected, initialized WxH,
auth-failure REASON, error MESSAGE, disconnected.  Exits when disconnected.
"""

import os
import sys
import warnings

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("GtkVnc", "2.0")
from gi.repository import Gtk, GtkVnc  # noqa: E402

Cred = GtkVnc.DisplayCredential


def say(*words):
    print(" ".join(str(w) for w in words), flush=True)


def on_credential(display, creds):
    # A GValueArray of the credential types wanted.  PyGObject reads only
    # the first of its values field; get_nth, deprecated, reads them all.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        wanted = [creds.get_nth(i) for i in range(creds.n_values)]
    names = []
    for c in wanted:
        c = int(c)
        if c == int(Cred.USERNAME):
            value = os.environ.get("VNC_USERNAME", "")
            names.append("username")
        elif c == int(Cred.PASSWORD):
            value = os.environ.get("VNC_PASSWORD", "")
            names.append("password")
        elif c == int(Cred.CLIENTNAME):
            # What names the client's own certificate, unused here; gtk-vnc
            # loads the CA when it is set.
            value = "rampart-test"
            names.append("clientname")
        else:
            say("credential", c, "unknown")
            display.close()
            return
        if display.set_credential(c, value):
            say("credential", names[-1], "not accepted")
            display.close()
            return
    say("credentials", ",".join(names))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gtkvnc-view.py HOST PORT")
    win = Gtk.Window(title="gtkvnc-view")
    win.set_decorated(False)
    display = GtkVnc.Display()
    display.set_pointer_grab(False)
    display.set_keyboard_grab(False)
    display.set_shared_flag(True)
    win.add(display)
    display.connect("vnc-auth-credential", on_credential)
    display.connect("vnc-connected", lambda d: say("connected"))
    display.connect("vnc-initialized", lambda d: say(
        "initialized %dx%d" % (d.get_width(), d.get_height())))
    display.connect("vnc-auth-failure", lambda d, m: say("auth-failure", m))
    display.connect("vnc-auth-unsupported",
                    lambda d, t: say("auth-unsupported", t))
    display.connect("vnc-error", lambda d, m: say("error", m))

    def gone(d):
        say("disconnected")
        Gtk.main_quit()
    display.connect("vnc-disconnected", gone)
    win.connect("destroy", lambda w: Gtk.main_quit())
    display.open_host(sys.argv[1], sys.argv[2])
    win.move(0, 0)
    win.show_all()
    Gtk.main()


if __name__ == "__main__":
    main()
