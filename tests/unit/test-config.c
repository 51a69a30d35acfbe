/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The supervisor's options for the drm source, --output and
 * --capture-method (supervisor/config.c): the values taken and refused
 * with their reasons, from the command line and from the file, refused
 * with a source they do not apply to, and "auto" left for the capture
 * helper to decide.  The options of authentication the same way, and the
 * security types each kind of listener offers with them
 * (supervisor/listen.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/supervisor.h"
#include "tests/tap.h"

#define MAXARGS	16

/* Parse args (NULL-terminated) into cfg, then finish it; the result of
 * the first step that fails, with its reason in why. */
static int
parse(struct config *cfg, const char *const *args, char *why, size_t len)
{
	char *argv[MAXARGS + 2];
	int argc = 0, r;

	argv[argc++] = "rampart";
	for (; *args != NULL && argc <= MAXARGS; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	config_defaults(cfg);
	why[0] = '\0';
	if ((r = config_from_args(cfg, argc, argv, why, len)) != 0)
		return r;
	return config_finish(cfg, "/", why, len);
}

static int
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* args parse and finish, with these three settings after. */
static void
good(const char *name, const char *const *args, const char *capture,
    const char *output, const char *method)
{
	struct config cfg;
	char why[512];
	int r = parse(&cfg, args, why, sizeof(why));

	if (!ok(r == 0 && same(cfg.capture, capture) &&
	    same(cfg.output, output) && same(cfg.capture_method, method),
	    "%s", name))
		diag("%d %s: capture %s, output %s, method %s", r, why,
		    cfg.capture ? cfg.capture : "NULL",
		    cfg.output ? cfg.output : "NULL",
		    cfg.capture_method ? cfg.capture_method : "NULL");
	config_free(&cfg);
}

/* args are refused, saying exactly want. */
static void
bad(const char *name, const char *const *args, const char *want)
{
	struct config cfg;
	char why[512];
	int r = parse(&cfg, args, why, sizeof(why));

	ok(r < 0 && strcmp(why, want) == 0, "%s: %s", name, why);
	config_free(&cfg);
}

/* The configuration file of the test. */
static char conf_path[64];

static int
load(struct config *cfg, const char *text, char *why, size_t len)
{
	FILE *f;
	int r;

	snprintf(conf_path, sizeof(conf_path), "/tmp/test-config.%ld",
	    (long)getpid());
	if ((f = fopen(conf_path, "w")) == NULL || fputs(text, f) < 0 ||
	    fclose(f) != 0)
		bail("cannot write %s", conf_path);
	r = config_load(cfg, conf_path, 1, why, len);
	unlink(conf_path);
	return r;
}

/* The options of the input path: --pointer, --allow-keys (the input
 * helper's), --keyboard-layout, --paste-as-typing (the broker's). */
static void
input_options(void)
{
	struct config a, b;
	char why[512], names[256];
	int r;

	r = parse(&a, (const char *const[]){ "--input", "uinput", "--pointer",
	    "touch", "--allow-keys", "sysrq,power", "--keyboard-layout",
	    "de(nodeadkeys)", "--paste-as-typing", NULL }, why, sizeof(why));
	ok(r == 0 && same(a.input, "uinput") && same(a.pointer, "touch") &&
	    same(a.allow_keys, "sysrq,power") &&
	    same(a.keyboard_layout, "de(nodeadkeys)") && a.paste_as_typing,
	    "uinput, touch, sysrq and power, de(nodeadkeys), paste: %s", why);
	config_free(&a);
	r = parse(&a, (const char *const[]){ NULL }, why, sizeof(why));
	ok(r == 0 && a.pointer == NULL && a.allow_keys == NULL &&
	    a.keyboard_layout == NULL && !a.paste_as_typing,
	    "by default none of them: the helpers' defaults hold");
	config_free(&a);

	bad("a pointer mode not in the list", (const char *const[]){
	    "--pointer", "joystick", NULL }, "--pointer: expected tablet, "
	    "touch or mouse, not \"joystick\"");
	bad("a key class not in the list", (const char *const[]){
	    "--allow-keys", "sysrq,reboot", NULL }, "--allow-keys: expected "
	    "sysrq, power or none, not \"reboot\"");
	bad("a layout with a path in it", (const char *const[]){
	    "--keyboard-layout", "../../etc/passwd", NULL },
	    "--keyboard-layout: expected a keyboard layout such as us, de or "
	    "de(nodeadkeys), not \"../../etc/passwd\"");
	bad("an empty layout", (const char *const[]){ "--keyboard-layout", "",
	    NULL }, "--keyboard-layout: expected a keyboard layout such as us, "
	    "de or de(nodeadkeys), not \"\"");
	bad("a sink that does not exist", (const char *const[]){ "--input",
	    "evdev", NULL }, "unknown input sink \"evdev\" (known: none, "
	    "log:FILE, uinput, hidg:KBD[,POINTER])");

	config_defaults(&a);
	ok(load(&a, "input = uinput\npointer = mouse\nkeyboard-layout = fr\n"
	    "paste-as-typing = yes\nallow-keys = sysrq\n", why,
	    sizeof(why)) == 0 && same(a.pointer, "mouse") &&
	    same(a.keyboard_layout, "fr") && a.paste_as_typing &&
	    same(a.allow_keys, "sysrq"), "all four from the file: %s", why);
	config_free(&a);

	parse(&a, (const char *const[]){ "--keyboard-layout", "de", NULL },
	    why, sizeof(why));
	parse(&b, (const char *const[]){ "--keyboard-layout", "fr",
	    "--pointer", "touch", "--paste-as-typing", NULL }, why,
	    sizeof(why));
	ok(config_differs(&a, &b, names, sizeof(names)) == 1 &&
	    strcmp(names, "pointer, keyboard-layout, paste-as-typing") == 0,
	    "a change of them takes a restart: %s", names);
	config_free(&a);
	config_free(&b);
}

/* The options of authentication, good and bad. */
static void
auth_options(void)
{
	struct config a, b;
	char why[512], names[512], want[600];
	int r;

	r = parse(&a, (const char *const[]){ NULL }, why, sizeof(why));
	ok(r == 0 && same(a.users, "/etc/rampart/users") &&
	    same(a.tls_dir, "/etc/rampart/tls") && a.tls_cert == NULL &&
	    a.tls_key == NULL && a.tls_client_ca == NULL && a.tls_crl == NULL &&
	    !a.allow_anonymous_tls && !a.insecure_vnc_auth &&
	    same(a.vnc_passwords, "/etc/rampart/vnc-passwords") &&
	    !a.insecure_no_auth && a.sharing == NULL &&
	    a.handshake_timeout == 20 && a.idle_timeout == 0,
	    "the defaults: /etc/rampart/users, /etc/rampart/tls, handshake "
	    "20 s, no idle timeout, nothing insecure: %s", why);
	config_free(&a);

	r = parse(&a, (const char *const[]){ "--users", "u", "--tls-cert",
	    "c.pem", "--tls-key", "/k.pem", "--tls-client-ca", "ca.pem",
	    "--tls-crl", "crl.pem", "--allow-anonymous-tls",
	    "--insecure-vnc-auth", "--vnc-passwords", "vnc",
	    "--insecure-no-auth", NULL }, why, sizeof(why));
	ok(r == 0 && same(a.users, "/u") && same(a.tls_cert, "/c.pem") &&
	    same(a.tls_key, "/k.pem") && same(a.tls_client_ca, "/ca.pem") &&
	    same(a.tls_crl, "/crl.pem") && a.allow_anonymous_tls &&
	    a.insecure_vnc_auth && same(a.vnc_passwords, "/vnc") &&
	    a.insecure_no_auth && a.tls_dir != NULL,
	    "every file option taken, made absolute: %s", why);
	config_free(&a);

	r = parse(&a, (const char *const[]){ "--sharing", "exclusive-control",
	    "--handshake-timeout", "600", "--idle-timeout", "3600",
	    "--tls-dir", "tls", NULL }, why, sizeof(why));
	ok(r == 0 && same(a.sharing, "exclusive-control") &&
	    a.handshake_timeout == 600 && a.idle_timeout == 3600 &&
	    same(a.tls_dir, "/tls"), "sharing, timeouts, tls-dir: %s", why);
	config_free(&a);
	r = parse(&a, (const char *const[]){ "--sharing", "exclusive",
	    "--handshake-timeout", "1", "--idle-timeout", "0", NULL }, why,
	    sizeof(why));
	ok(r == 0 && same(a.sharing, "exclusive") &&
	    a.handshake_timeout == 1 && a.idle_timeout == 0,
	    "exclusive, a handshake of 1 s, idle 0: %s", why);
	config_free(&a);

	r = parse(&a, (const char *const[]){ NULL }, why, sizeof(why));
	ok(r == 0 && a.encoder_threads == -1, "encoder threads: one per "
	    "processor unless given");
	config_free(&a);
	r = parse(&a, (const char *const[]){ "--encoder-threads", "0", NULL },
	    why, sizeof(why));
	ok(r == 0 && a.encoder_threads == 0, "--encoder-threads 0: %s", why);
	config_free(&a);
	r = parse(&a, (const char *const[]){ "--encoder-threads", "16", NULL },
	    why, sizeof(why));
	ok(r == 0 && a.encoder_threads == 16, "--encoder-threads 16: %s",
	    why);
	config_free(&a);
	bad("17 encoder threads", (const char *const[]){ "--encoder-threads",
	    "17", NULL }, "--encoder-threads: expected a number of threads "
	    "from 0 to 16, not \"17\"");
	bad("-1 encoder threads", (const char *const[]){ "--encoder-threads",
	    "-1", NULL }, "--encoder-threads: expected a number of threads "
	    "from 0 to 16, not \"-1\"");

	bad("--tls-cert without --tls-key", (const char *const[]){
	    "--tls-cert", "c.pem", NULL }, "--tls-cert without --tls-key: "
	    "give both, or neither for the self-signed certificate in "
	    "--tls-dir");
	bad("--tls-key without --tls-cert", (const char *const[]){
	    "--tls-key", "k.pem", NULL }, "--tls-key without --tls-cert: "
	    "give both, or neither for the self-signed certificate in "
	    "--tls-dir");
	bad("--tls-dir with --tls-cert", (const char *const[]){
	    "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-dir", "d",
	    NULL }, "--tls-dir holds the self-signed certificate, which "
	    "--tls-cert replaces: give one of them");
	bad("--tls-crl without a CA", (const char *const[]){ "--tls-crl",
	    "crl.pem", NULL }, "--tls-crl revokes client certificates: it "
	    "needs --tls-client-ca");
	bad("--vnc-passwords without --insecure-vnc-auth",
	    (const char *const[]){ "--vnc-passwords", "v", NULL },
	    "--vnc-passwords applies only with --insecure-vnc-auth");
	bad("an empty users path", (const char *const[]){ "--users", "",
	    NULL }, "--users: expected a path, not an empty one");
	bad("a sharing mode not in the list", (const char *const[]){
	    "--sharing", "private", NULL }, "--sharing: expected shared, "
	    "exclusive-control or exclusive, not \"private\"");
	bad("a handshake of 0 s", (const char *const[]){
	    "--handshake-timeout", "0", NULL }, "--handshake-timeout: "
	    "expected a number of seconds from 1 to 600, not \"0\"");
	bad("a handshake of 601 s", (const char *const[]){
	    "--handshake-timeout", "601", NULL }, "--handshake-timeout: "
	    "expected a number of seconds from 1 to 600, not \"601\"");
	bad("a handshake in minutes", (const char *const[]){
	    "--handshake-timeout", "2m", NULL }, "--handshake-timeout: "
	    "expected a number of seconds from 1 to 600, not \"2m\"");
	bad("a negative idle timeout", (const char *const[]){
	    "--idle-timeout", "-1", NULL }, "--idle-timeout: expected a "
	    "number of seconds from 0 to 86400, not \"-1\"");
	bad("an idle timeout beyond a day", (const char *const[]){
	    "--idle-timeout", "86401", NULL }, "--idle-timeout: expected a "
	    "number of seconds from 0 to 86400, not \"86401\"");
	bad("an idle timeout of 2^32 + 1", (const char *const[]){
	    "--idle-timeout", "4294967297", NULL }, "--idle-timeout: "
	    "expected a number of seconds from 0 to 86400, not "
	    "\"4294967297\"");
	bad("security=none is gone", (const char *const[]){ "--listen",
	    "tcp:192.0.2.1:5900,security=none", NULL }, "--listen "
	    "tcp:192.0.2.1:5900,security=none: \"security=none\" is no "
	    "longer accepted: None is offered on unix sockets, and on "
	    "loopback addresses with --insecure-no-auth; use a unix:PATH "
	    "listener or --insecure-no-auth, and accounts (rampart-passwd) "
	    "for the network");
	bad("and so is any other listener option", (const char *const[]){
	    "--listen", "unix:/run/r.sock,mode=0666", NULL }, "--listen "
	    "unix:/run/r.sock,mode=0666: unknown listener option "
	    "\"mode=0666\" (a listener is tcp:ADDR:PORT, tcp:[ADDR6]:PORT "
	    "or unix:PATH)");

	/* The file: the same keys; the command line wins. */
	config_defaults(&a);
	ok(load(&a, "users = /srv/users\ntls-cert = /c\ntls-key = /k\n"
	    "tls-client-ca /ca\ntls-crl = /crl\nallow-anonymous-tls = yes\n"
	    "insecure-vnc-auth\nvnc-passwords = /v\ninsecure-no-auth = yes\n"
	    "sharing = exclusive\nhandshake-timeout = 30\n"
	    "idle-timeout = 60\n", why, sizeof(why)) == 0 &&
	    config_finish(&a, "/", why, sizeof(why)) == 0 &&
	    same(a.users, "/srv/users") && same(a.tls_cert, "/c") &&
	    same(a.tls_key, "/k") && same(a.tls_client_ca, "/ca") &&
	    same(a.tls_crl, "/crl") && a.allow_anonymous_tls &&
	    a.insecure_vnc_auth && same(a.vnc_passwords, "/v") &&
	    a.insecure_no_auth && same(a.sharing, "exclusive") &&
	    a.handshake_timeout == 30 && a.idle_timeout == 60,
	    "every one of them from the file: %s", why);
	config_free(&a);
	parse(&a, (const char *const[]){ "--handshake-timeout", "5",
	    "--idle-timeout", "0", "--users", "/cmd", NULL }, why,
	    sizeof(why));
	ok(load(&a, "handshake-timeout = 30\nidle-timeout = 60\n"
	    "users = /file\nsharing = exclusive\n", why, sizeof(why)) == 0 &&
	    a.handshake_timeout == 5 && a.idle_timeout == 0 &&
	    same(a.users, "/cmd") && same(a.sharing, "exclusive"),
	    "the command line's timeouts and users win, even an idle "
	    "timeout of 0; the file's sharing is taken");
	config_free(&a);
	config_defaults(&a);
	r = load(&a, "\nhandshake-timeout = forever\n", why, sizeof(why));
	snprintf(want, sizeof(want), "%s:2: handshake-timeout: expected a "
	    "number of seconds from 1 to 600, not \"forever\"", conf_path);
	ok(r < 0 && strcmp(why, want) == 0, "a bad timeout in the file "
	    "names its line: %s", why);
	config_free(&a);
	config_defaults(&a);
	r = load(&a, "insecure-no-auth = maybe\n", why, sizeof(why));
	snprintf(want, sizeof(want), "%s:1: insecure-no-auth: expected yes "
	    "or no, not \"maybe\"", conf_path);
	ok(r < 0 && strcmp(why, want) == 0, "a flag is yes or no: %s", why);
	config_free(&a);

	/* Changing them takes a restart (the files are read again, from
	 * the paths rampart started with). */
	parse(&a, (const char *const[]){ NULL }, why, sizeof(why));
	parse(&b, (const char *const[]){ "--users", "/u2",
	    "--insecure-no-auth", "--sharing", "exclusive",
	    "--idle-timeout", "9", "--tls-client-ca", "/ca", NULL }, why,
	    sizeof(why));
	ok(config_differs(&a, &b, names, sizeof(names)) == 1 &&
	    strcmp(names, "users, tls-client-ca, insecure-no-auth, sharing, "
	    "idle-timeout") == 0, "a change of them takes a restart: %s",
	    names);
	config_free(&a);
	config_free(&b);
}

/* The security types of each kind of listener, with the options. */
static void
policy_case(const char *const *args, enum listen_kind kind,
    uint32_t security, uint32_t local, const char *words)
{
	struct ipc_sv_listener l;
	struct config cfg;
	char why[512], text[600];

	if (parse(&cfg, args, why, sizeof(why)) != 0)
		bail("%s", why);
	memset(&l, 0, sizeof(l));
	listen_policy(&cfg, kind, &l);
	listen_describe(&l, text, sizeof(text));
	ok(l.security == security && l.security_local == local &&
	    strcmp(text, words) == 0, "%s", text);
	if (l.security != security || l.security_local != local)
		diag("security 0x%x, local 0x%x; wanted 0x%x, 0x%x",
		    l.security, l.security_local, security, local);
	config_free(&cfg);
}

static void
policies(void)
{
	static const char *const none[] = { NULL };
	static const char *const no_auth[] = { "--insecure-no-auth", NULL };
	static const char *const all[] = { "--insecure-no-auth",
	    "--allow-anonymous-tls", "--insecure-vnc-auth", NULL };
	static const char *const ca[] = { "--tls-client-ca", "/ca",
	    "--allow-anonymous-tls", NULL };
	const uint32_t every = IPC_SEC_X509PLAIN | IPC_SEC_TLSPLAIN |
	    IPC_SEC_VNCAUTH;

	policy_case(none, LISTEN_UNIX, IPC_SEC_NONE, IPC_SEC_NONE,
	    "security None (no authentication)");
	policy_case(all, LISTEN_UNIX, IPC_SEC_NONE, IPC_SEC_NONE,
	    "security None (no authentication)");
	policy_case(none, LISTEN_LOOPBACK, IPC_SEC_X509PLAIN,
	    IPC_SEC_X509PLAIN, "security VeNCrypt X509Plain (TLS, then user "
	    "and password)");
	policy_case(no_auth, LISTEN_LOOPBACK, IPC_SEC_NONE, IPC_SEC_NONE,
	    "security None (no authentication)");
	policy_case(none, LISTEN_WILDCARD, IPC_SEC_X509PLAIN,
	    IPC_SEC_X509PLAIN, "security VeNCrypt X509Plain (TLS, then user "
	    "and password)");
	policy_case(no_auth, LISTEN_WILDCARD, IPC_SEC_X509PLAIN,
	    IPC_SEC_NONE, "security None (no authentication) for "
	    "connections to a loopback address; VeNCrypt X509Plain (TLS, "
	    "then user and password) for the others");
	policy_case(no_auth, LISTEN_NETWORK, IPC_SEC_X509PLAIN,
	    IPC_SEC_X509PLAIN, "security VeNCrypt X509Plain (TLS, then user "
	    "and password)");
	policy_case(all, LISTEN_NETWORK, every, every, "security VeNCrypt "
	    "X509Plain (TLS, then user and password), VeNCrypt TLSPlain "
	    "(anonymous TLS, then user and password), VNC authentication "
	    "(DES, nothing encrypted)");
	policy_case(all, LISTEN_WILDCARD, every, IPC_SEC_NONE, "security None "
	    "(no authentication) for connections to a loopback address; "
	    "VeNCrypt X509Plain (TLS, then user and password), VeNCrypt "
	    "TLSPlain (anonymous TLS, then user and password), VNC "
	    "authentication (DES, nothing encrypted) for the others");
	policy_case(ca, LISTEN_LOOPBACK, IPC_SEC_X509NONE | IPC_SEC_TLSPLAIN,
	    IPC_SEC_X509NONE | IPC_SEC_TLSPLAIN, "security VeNCrypt X509None "
	    "(TLS, a client certificate names the user), VeNCrypt TLSPlain "
	    "(anonymous TLS, then user and password)");
}

int
main(void)
{
	struct config a, b;
	char why[512], want[512], names[256];
	char long_name[CONFIG_OUTPUT_MAX + 2];
	static const char *const methods[] = { "auto", "mmap", "egl",
	    "getfb", "writeback" };
	int r;

	good("nothing given: auto, for the capture helper to decide",
	    (const char *const[]){ NULL }, "auto", NULL, NULL);
	good("auto with an output and a method",
	    (const char *const[]){ "--output", "HDMI-A-1",
	    "--capture-method", "egl", NULL }, "auto", "HDMI-A-1", "egl");
	good("drm with all outputs",
	    (const char *const[]){ "--capture", "drm:/dev/dri/card1",
	    "--output=all", NULL }, "drm:/dev/dri/card1", "all", NULL);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		good(methods[i], (const char *const[]){ "--capture", "drm",
		    "--capture-method", methods[i], NULL }, "drm", NULL,
		    methods[i]);
	memset(long_name, 'A', CONFIG_OUTPUT_MAX);
	long_name[CONFIG_OUTPUT_MAX] = '\0';
	good("an output of 63 characters", (const char *const[]){ "--output",
	    long_name, NULL }, "auto", long_name, NULL);
	good("fbdev without them", (const char *const[]){ "--capture",
	    "fbdev:/dev/fb1", NULL }, "fbdev:/dev/fb1", NULL, NULL);

	bad("a method not in the list", (const char *const[]){
	    "--capture-method", "blit", NULL }, "--capture-method: expected "
	    "auto, mmap, egl, getfb or writeback, not \"blit\"");
	bad("a method in capitals", (const char *const[]){
	    "--capture-method", "EGL", NULL }, "--capture-method: expected "
	    "auto, mmap, egl, getfb or writeback, not \"EGL\"");
	bad("an empty output", (const char *const[]){ "--output", "", NULL },
	    "--output: an output name cannot be empty (a connector such as "
	    "HDMI-A-1, or all)");
	long_name[CONFIG_OUTPUT_MAX] = 'A';
	long_name[CONFIG_OUTPUT_MAX + 1] = '\0';
	bad("an output of 64 characters", (const char *const[]){ "--output",
	    long_name, NULL }, "--output: an output name of 64 characters is "
	    "too long (at most 63)");
	bad("an output with a tab", (const char *const[]){ "--output",
	    "DP\t1", NULL }, "--output: an output name has no spaces or "
	    "control characters");
	bad("a method for the demo", (const char *const[]){ "--capture",
	    "demo", "--capture-method", "mmap", NULL }, "--capture-method "
	    "applies to the drm source only (--capture drm or auto), not to "
	    "demo");
	bad("an output for fbdev", (const char *const[]){ "--capture",
	    "fbdev", "--output", "DP-1", NULL }, "--output applies to the drm "
	    "source only (--capture drm or auto), not to fbdev");
	bad("an unknown source lists auto and fbdev",
	    (const char *const[]){ "--capture", "v4l2", NULL },
	    "unknown capture source \"v4l2\" (known: auto, demo[:screens=N], "
	    "replay:FILE.frames, drm[:/dev/dri/cardN], fbdev[:/dev/fbN])");

	/* The file: the same keys; the command line wins. */
	config_defaults(&a);
	ok(load(&a, "output = DP-1\ncapture-method getfb\n", why,
	    sizeof(why)) == 0 && same(a.output, "DP-1") &&
	    same(a.capture_method, "getfb"), "output and capture-method "
	    "from the file");
	config_free(&a);
	parse(&a, (const char *const[]){ "--output", "HDMI-A-1", NULL }, why,
	    sizeof(why));
	ok(load(&a, "output = DP-1\ncapture-method = getfb\n", why,
	    sizeof(why)) == 0 && same(a.output, "HDMI-A-1") &&
	    same(a.capture_method, "getfb"), "the command line's output "
	    "wins, the file's method is taken");
	config_free(&a);
	config_defaults(&a);
	r = load(&a, "# methods\ncapture-method = fast\n", why, sizeof(why));
	snprintf(want, sizeof(want), "%s:2: capture-method: expected auto, "
	    "mmap, egl, getfb or writeback, not \"fast\"", conf_path);
	ok(r < 0 && strcmp(why, want) == 0,
	    "a bad method in the file names its line: %s", why);
	config_free(&a);

	/* A reload that changes them says they take a restart. */
	parse(&a, (const char *const[]){ "--output", "DP-1", NULL }, why,
	    sizeof(why));
	parse(&b, (const char *const[]){ "--output", "DP-2",
	    "--capture-method", "egl", NULL }, why, sizeof(why));
	ok(config_differs(&a, &b, names, sizeof(names)) == 1 &&
	    strcmp(names, "output, capture-method") == 0,
	    "a change of them takes a restart: %s", names);
	config_free(&a);
	config_free(&b);

	input_options();
	auth_options();
	policies();
	return done_testing();
}
