/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Options, from the command line and from the configuration file.  The
 * file has the same keys as the long options, one "key = value" (or
 * "key value") a line, # for comments.  The command line wins: a key given
 * there is not taken from the file, and --listen given there replaces
 * every listen of the file.
 *
 * Errors are written into the caller's buffer, one line: at start-up
 * rampart prints them and exits, on a reload it logs them and keeps the
 * settings it runs with.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/registry.h"
#include "supervisor/supervisor.h"

enum {
	OPT_CONFIG = 256, OPT_LISTEN, OPT_CAPTURE, OPT_OUTPUT,
	OPT_CAPTURE_METHOD, OPT_INPUT, OPT_USER, OPT_PID_FILE, OPT_FOREGROUND,
	OPT_LOG_LEVEL, OPT_HELP, OPT_VERSION, OPT_POINTER, OPT_ALLOW_KEYS,
	OPT_KEYBOARD_LAYOUT, OPT_PASTE_AS_TYPING, OPT_USERS, OPT_TLS_CERT,
	OPT_TLS_KEY, OPT_TLS_DIR, OPT_TLS_CLIENT_CA, OPT_TLS_CRL,
	OPT_ALLOW_ANONYMOUS_TLS, OPT_INSECURE_VNC_AUTH, OPT_VNC_PASSWORDS,
	OPT_INSECURE_NO_AUTH, OPT_SHARING, OPT_HANDSHAKE_TIMEOUT,
	OPT_IDLE_TIMEOUT,
	OPT_ENCODER_THREADS,
};

/* Who may do what when several viewers are connected (--sharing). */
static const char *const sharing_modes[] = {
	"shared", "exclusive-control", "exclusive",
};

/* How the drm source may read a screen (--capture-method). */
static const char *const capture_methods[] = {
	"auto", "mmap", "egl", "getfb", "writeback",
};

static const struct option longopts[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "capture", required_argument, NULL, OPT_CAPTURE },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "capture-method", required_argument, NULL, OPT_CAPTURE_METHOD },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "pointer", required_argument, NULL, OPT_POINTER },
	{ "allow-keys", required_argument, NULL, OPT_ALLOW_KEYS },
	{ "keyboard-layout", required_argument, NULL, OPT_KEYBOARD_LAYOUT },
	{ "paste-as-typing", no_argument, NULL, OPT_PASTE_AS_TYPING },
	{ "users", required_argument, NULL, OPT_USERS },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "tls-dir", required_argument, NULL, OPT_TLS_DIR },
	{ "tls-client-ca", required_argument, NULL, OPT_TLS_CLIENT_CA },
	{ "tls-crl", required_argument, NULL, OPT_TLS_CRL },
	{ "allow-anonymous-tls", no_argument, NULL, OPT_ALLOW_ANONYMOUS_TLS },
	{ "insecure-vnc-auth", no_argument, NULL, OPT_INSECURE_VNC_AUTH },
	{ "vnc-passwords", required_argument, NULL, OPT_VNC_PASSWORDS },
	{ "insecure-no-auth", no_argument, NULL, OPT_INSECURE_NO_AUTH },
	{ "sharing", required_argument, NULL, OPT_SHARING },
	{ "handshake-timeout", required_argument, NULL, OPT_HANDSHAKE_TIMEOUT },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "encoder-threads", required_argument, NULL, OPT_ENCODER_THREADS },
	{ "user", required_argument, NULL, OPT_USER },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "foreground", no_argument, NULL, OPT_FOREGROUND },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void
config_usage_registry(FILE *f, const char *what,
    const struct registry_entry *table, size_t n)
{
	fprintf(f, "\n%s:\n", what);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-22s %s\n", table[i].usage, table[i].help);
}

void
config_usage(FILE *f)
{
	fprintf(f,
"usage: rampart [--config FILE] [--listen tcp:ADDR:PORT | unix:PATH]...\n"
"               [--capture SOURCE] [--output NAME|all]\n"
"               [--capture-method auto|mmap|egl|getfb|writeback]\n"
"               [--input SINK] [--pointer tablet|touch|mouse]\n"
"               [--allow-keys sysrq,power] [--keyboard-layout LAYOUT]\n"
"               [--paste-as-typing] [--user NAME]\n"
"               [--users FILE] [--tls-cert FILE --tls-key FILE]\n"
"               [--tls-dir DIR] [--tls-client-ca FILE [--tls-crl FILE]]\n"
"               [--allow-anonymous-tls] [--insecure-vnc-auth]\n"
"               [--vnc-passwords FILE] [--insecure-no-auth]\n"
"               [--sharing shared|exclusive-control|exclusive]\n"
"               [--handshake-timeout SECONDS] [--idle-timeout SECONDS]\n"
"               [--encoder-threads N]\n"
"               [--foreground] [--pid-file FILE] [--log-level LEVEL]\n"
"               [-h | --help] [-V | --version]\n"
"\n"
"  --config FILE     options file (default " DEFAULT_CONFIG ")\n"
"  --listen SPEC     tcp:ADDR:PORT, tcp:[ADDR6]:PORT or unix:PATH, repeatable\n"
"                    (default " DEFAULT_LISTEN ")\n"
"  --capture SOURCE  a source below (default auto)\n"
"  --output NAME     the screen the drm source reads: a connector\n"
"                    (HDMI-A-1) or all (default: the source's choice)\n"
"  --capture-method M\n"
"                    how the drm source reads it: auto (default), mmap,\n"
"                    egl, getfb or writeback\n"
"  --input SINK      none or a sink below (default none)\n"
"  --pointer MODE    the pointer the sink offers: tablet (absolute, the\n"
"                    default), touch (a touch screen) or mouse (relative)\n"
"  --allow-keys LIST let viewers press these too: sysrq (Alt+SysRq),\n"
"                    power (power, sleep and wake keys); default none\n"
"  --keyboard-layout LAYOUT\n"
"                    the machine's keyboard layout, as XKB names it: us\n"
"                    (default), de, fr, gb, jp, de(nodeadkeys), ...\n"
"  --paste-as-typing type what a viewer with control pastes (4 KiB at most)\n"
"  --user NAME       user of the network-facing broker\n"
"                    (default " RAMPART_DEFAULT_USER ", else nobody)\n"
"\n"
"  --users FILE      the accounts, NAME:ROLE:HASH a line, edited with\n"
"                    rampart-passwd (default " DEFAULT_USERS "); made\n"
"                    with a user admin on the first start\n"
"  --tls-cert FILE   the server's certificate chain (PEM), with\n"
"  --tls-key FILE    its private key (PEM: EC P-256/P-384, RSA 2048-4096)\n"
"  --tls-dir DIR     without them: the self-signed cert.pem and key.pem,\n"
"                    made on the first start (default " DEFAULT_TLS_DIR ")\n"
"  --tls-client-ca FILE\n"
"                    ask viewers for a certificate signed by these CAs\n"
"                    (VeNCrypt X509None: its CN names the user)\n"
"  --tls-crl FILE    certificates revoked (PEM), with --tls-client-ca\n"
"  --allow-anonymous-tls\n"
"                    offer VeNCrypt TLSPlain too: TLS that the viewer\n"
"                    cannot check, then a password\n"
"  --insecure-vnc-auth\n"
"                    offer VNC authentication too (DES, 8 characters,\n"
"                    nothing encrypted), for old viewers\n"
"  --vnc-passwords FILE\n"
"                    its passwords, control:SECRET and view:SECRET lines\n"
"                    (default " DEFAULT_VNC_PASSWORDS ")\n"
"  --insecure-no-auth\n"
"                    offer security None on loopback addresses too\n"
"  --sharing MODE    shared (default: every controller types),\n"
"                    exclusive-control (the first controller types) or\n"
"                    exclusive (a viewer asking for it displaces others)\n"
"  --handshake-timeout SECONDS\n"
"                    to log in, from the connection (default 20, 1-600)\n"
"  --idle-timeout SECONDS\n"
"                    close a viewer idle that long (default 0: never)\n"
"  --encoder-threads N\n"
"                    threads that encode updates (default: one per\n"
"                    processor; 0 encodes on the broker's event loop)\n"
"\n"
"  --foreground      stay in the foreground and log to stderr\n"
"                    (else become a daemon and log to syslog)\n"
"  --pid-file FILE   write the pid of rampart there while it runs\n"
"  --log-level LEVEL error, warn, info or debug (default info)\n"
"\n"
"Security: a unix socket offers None (its file mode is the access control).\n"
"A TCP listener offers VeNCrypt X509Plain (TLS, user and password), or\n"
"X509None with --tls-client-ca, plus what the options above add; None\n"
"only with --insecure-no-auth and only to loopback connections.\n"
"\n"
"SIGHUP reads the options file again (the log level changes at once) and\n"
"the certificate, key, CA, CRL, users and VNC password files;\n"
"SIGTERM or SIGINT stop rampart.\n");
	config_usage_registry(f, "sources", registry_sources,
	    REGISTRY_SOURCE_COUNT);
	config_usage_registry(f, "sinks", registry_sinks, REGISTRY_SINK_COUNT);
}

/* "FILE:LINE: key: ..." from the file, "--key: ..." from the command line. */
static void __attribute__((format(printf, 5, 6)))
config_error(char *why, size_t whylen, const char *where, const char *key,
    const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (where != NULL)
		snprintf(why, whylen, "%s: %s: ", where, key);
	else
		snprintf(why, whylen, "--%s: ", key);
	n = strlen(why);
	va_start(ap, fmt);
	vsnprintf(why + n, whylen - n, fmt, ap);
	va_end(ap);
}

static int
parse_bool(const char *value, int *b)
{
	if (value == NULL || strcmp(value, "yes") == 0 ||
	    strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*b = 1;
	else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 ||
	    strcmp(value, "0") == 0)
		*b = 0;
	else
		return -1;
	return 0;
}

static void
replace(char **field, char *value)
{
	free(*field);
	*field = value;
}

/* A connector's name, or "all": printable, without spaces, not too long. */
static int
check_output(const char *value, const char *where, const char *key,
    char *why, size_t whylen)
{
	size_t len = strlen(value);

	if (len == 0) {
		config_error(why, whylen, where, key, "an output name cannot "
		    "be empty (a connector such as HDMI-A-1, or all)");
		return -1;
	}
	if (len > CONFIG_OUTPUT_MAX) {
		config_error(why, whylen, where, key, "an output name of %zu "
		    "characters is too long (at most %d)", len,
		    CONFIG_OUTPUT_MAX);
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if (!isgraph((unsigned char)value[i])) {
			config_error(why, whylen, where, key, "an output name "
			    "has no spaces or control characters");
			return -1;
		}
	return 0;
}

/* A word of a closed set, else an error naming them. */
static int
check_word(const char *value, const char *const *words, size_t n,
    const char *where, const char *key, char *why, size_t whylen)
{
	char list[128] = "";

	for (size_t i = 0; i < n; i++) {
		if (strcmp(value, words[i]) == 0)
			return 0;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", words[i]);
	}
	config_error(why, whylen, where, key, "expected %s, not \"%s\"", list,
	    value);
	return -1;
}

static int
check_allow_keys(const char *value, const char *where, const char *key,
    char *why, size_t whylen)
{
	static const char *const words[] = { "sysrq", "power", "none" };
	char *copy = strdup(value), *w, *save = NULL;
	int r = 0;

	if (copy == NULL)
		return -1;
	for (w = strtok_r(copy, ",", &save); r == 0 && w != NULL;
	    w = strtok_r(NULL, ",", &save))
		r = check_word(w, words, 3, where, key, why, whylen);
	free(copy);
	return r;
}

/* An XKB layout name, with a variant in parentheses. */
static int
check_layout(const char *value, const char *where, const char *key,
    char *why, size_t whylen)
{
	size_t len = strlen(value);

	if (len == 0 || len > CONFIG_LAYOUT_MAX ||
	    strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789_-()") != len) {
		config_error(why, whylen, where, key, "expected a keyboard "
		    "layout such as us, de or de(nodeadkeys), not \"%s\"",
		    value);
		return -1;
	}
	return 0;
}

/* The field of a path option. */
static char **
path_field(struct config *cfg, int opt)
{
	switch (opt) {
	case OPT_USERS:
		return &cfg->users;
	case OPT_TLS_CERT:
		return &cfg->tls_cert;
	case OPT_TLS_KEY:
		return &cfg->tls_key;
	case OPT_TLS_DIR:
		return &cfg->tls_dir;
	case OPT_TLS_CLIENT_CA:
		return &cfg->tls_client_ca;
	case OPT_TLS_CRL:
		return &cfg->tls_crl;
	}
	return &cfg->vnc_passwords;
}

/* The field of a yes/no option of the security policy. */
static int *
bool_field(struct config *cfg, int opt)
{
	switch (opt) {
	case OPT_ALLOW_ANONYMOUS_TLS:
		return &cfg->allow_anonymous_tls;
	case OPT_INSECURE_VNC_AUTH:
		return &cfg->insecure_vnc_auth;
	}
	return &cfg->insecure_no_auth;
}

/* A whole number of seconds, min .. max. */
static int
parse_seconds(const char *value, int min, int max, int *out,
    const char *where, const char *key, char *why, size_t whylen)
{
	long n = 0;

	if (*value == '\0' || strspn(value, "0123456789") != strlen(value) ||
	    strlen(value) > 9 || (n = strtol(value, NULL, 10)) < min ||
	    n > max) {
		config_error(why, whylen, where, key, "expected a number of "
		    "seconds from %d to %d, not \"%s\"", min, max, value);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* Set one option; where is NULL for the command line. */
static int
config_set(struct config *cfg, const struct option *o, const char *value,
    const char *where, char *why, size_t whylen)
{
	char *copy = value != NULL ? strdup(value) : NULL;

	if (value != NULL && copy == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	switch (o->val) {
	case OPT_LISTEN:
		if (cfg->nlisten == CONFIG_MAX_LISTEN) {
			config_error(why, whylen, where, o->name,
			    "more than %d listen addresses", CONFIG_MAX_LISTEN);
			free(copy);
			return -1;
		}
		cfg->listen[cfg->nlisten++] = copy;
		return 0;
	case OPT_CAPTURE:
		replace(&cfg->capture, copy);
		return 0;
	case OPT_OUTPUT:
		if (check_output(value, where, o->name, why, whylen) < 0) {
			free(copy);
			return -1;
		}
		replace(&cfg->output, copy);
		return 0;
	case OPT_CAPTURE_METHOD:
		if (check_word(value, capture_methods,
		    sizeof(capture_methods) / sizeof(capture_methods[0]),
		    where, o->name, why, whylen) < 0) {
			free(copy);
			return -1;
		}
		replace(&cfg->capture_method, copy);
		return 0;
	case OPT_INPUT:
		replace(&cfg->input, copy);
		return 0;
	case OPT_POINTER: {
		static const char *const modes[] = { "tablet", "touch",
		    "mouse" };

		if (check_word(value, modes, 3, where, o->name, why,
		    whylen) < 0) {
			free(copy);
			return -1;
		}
		replace(&cfg->pointer, copy);
		return 0;
	}
	case OPT_ALLOW_KEYS:
		if (check_allow_keys(value, where, o->name, why, whylen) < 0) {
			free(copy);
			return -1;
		}
		replace(&cfg->allow_keys, copy);
		return 0;
	case OPT_KEYBOARD_LAYOUT:
		if (check_layout(value, where, o->name, why, whylen) < 0) {
			free(copy);
			return -1;
		}
		replace(&cfg->keyboard_layout, copy);
		return 0;
	case OPT_PASTE_AS_TYPING:
		free(copy);
		if (parse_bool(value, &cfg->paste_as_typing) < 0) {
			config_error(why, whylen, where, o->name,
			    "expected yes or no, not \"%s\"", value);
			return -1;
		}
		return 0;
	case OPT_USER:
		replace(&cfg->user, copy);
		return 0;
	case OPT_USERS:
	case OPT_TLS_CERT:
	case OPT_TLS_KEY:
	case OPT_TLS_DIR:
	case OPT_TLS_CLIENT_CA:
	case OPT_TLS_CRL:
	case OPT_VNC_PASSWORDS:
		if (*value == '\0') {
			config_error(why, whylen, where, o->name,
			    "expected a path, not an empty one");
			free(copy);
			return -1;
		}
		replace(path_field(cfg, o->val), copy);
		return 0;
	case OPT_ALLOW_ANONYMOUS_TLS:
	case OPT_INSECURE_VNC_AUTH:
	case OPT_INSECURE_NO_AUTH:
		free(copy);
		if (parse_bool(value, bool_field(cfg, o->val)) < 0) {
			config_error(why, whylen, where, o->name,
			    "expected yes or no, not \"%s\"", value);
			return -1;
		}
		return 0;
	case OPT_SHARING:
		if (check_word(value, sharing_modes,
		    sizeof(sharing_modes) / sizeof(sharing_modes[0]),
		    where, o->name, why, whylen) < 0) {
			free(copy);
			return -1;
		}
		replace(&cfg->sharing, copy);
		return 0;
	case OPT_HANDSHAKE_TIMEOUT:
		free(copy);
		return parse_seconds(value, 1, HANDSHAKE_TIMEOUT_MAX,
		    &cfg->handshake_timeout, where, o->name, why, whylen);
	case OPT_IDLE_TIMEOUT:
		free(copy);
		cfg->idle_timeout_set = 1;
		return parse_seconds(value, 0, IDLE_TIMEOUT_MAX,
		    &cfg->idle_timeout, where, o->name, why, whylen);
	case OPT_ENCODER_THREADS:
		free(copy);
		if (*value == '\0' || strlen(value) > 2 ||
		    strspn(value, "0123456789") != strlen(value) ||
		    atoi(value) > ENCODER_THREADS_MAX) {
			config_error(why, whylen, where, o->name, "expected a "
			    "number of threads from 0 to %d, not \"%s\"",
			    ENCODER_THREADS_MAX, value);
			return -1;
		}
		cfg->encoder_threads = atoi(value);
		return 0;
	case OPT_PID_FILE:
		replace(&cfg->pid_file, copy);
		return 0;
	case OPT_CONFIG:
		replace(&cfg->config_path, copy);
		return 0;
	case OPT_FOREGROUND:
		free(copy);
		if (parse_bool(value, &cfg->foreground) < 0) {
			config_error(why, whylen, where, o->name,
			    "expected yes or no, not \"%s\"", value);
			return -1;
		}
		return 0;
	case OPT_LOG_LEVEL:
		free(copy);
		cfg->log_level_set = 1;
		if (log_parse_level(value, &cfg->log_level) < 0) {
			config_error(why, whylen, where, o->name, "expected "
			    "error, warn, info or debug, not \"%s\"", value);
			return -1;
		}
		return 0;
	}
	free(copy);
	config_error(why, whylen, where, o->name, "not an option to set");
	return -1;
}

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->encoder_threads = -1;
}

void
config_free(struct config *cfg)
{
	for (int i = 0; i < cfg->nlisten; i++)
		free(cfg->listen[i]);
	free(cfg->config_path);
	free(cfg->capture);
	free(cfg->output);
	free(cfg->capture_method);
	free(cfg->input);
	free(cfg->pointer);
	free(cfg->allow_keys);
	free(cfg->keyboard_layout);
	free(cfg->user);
	free(cfg->users);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->tls_dir);
	free(cfg->tls_client_ca);
	free(cfg->tls_crl);
	free(cfg->vnc_passwords);
	free(cfg->sharing);
	free(cfg->pid_file);
	config_defaults(cfg);
}

static const struct option *
option_find(int val)
{
	for (const struct option *o = longopts; o->name != NULL; o++)
		if (o->val == val)
			return o;
	return NULL;
}

int
config_from_args(struct config *cfg, int argc, char **argv, char *why,
    size_t whylen)
{
	int ch;

	/* The errors are ours, in our words; and a second parse (a
	 * reload) starts afresh. */
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
		case OPT_HELP:
			config_usage(stdout);
			exit(0);
		case 'V':
		case OPT_VERSION:
			printf("rampart %s\n", PACKAGE_VERSION);
			exit(0);
		case ':':
			snprintf(why, whylen, "%s needs a value",
			    argv[optind - 1]);
			return CONFIG_SYNTAX;
		case '?':
			if (optopt != 0)
				snprintf(why, whylen, "unknown option -%c",
				    optopt);
			else
				snprintf(why, whylen, "unknown option %s",
				    argv[optind - 1]);
			return CONFIG_SYNTAX;
		default:
			if (config_set(cfg, option_find(ch), optarg, NULL, why,
			    whylen) < 0)
				return -1;
			break;
		}
	}
	if (optind != argc) {
		snprintf(why, whylen, "unexpected argument \"%s\"",
		    argv[optind]);
		return CONFIG_SYNTAX;
	}
	return 0;
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Read the file into the options the command line left unset. */
int
config_load(struct config *cfg, const char *path, int must_exist, char *why,
    size_t whylen)
{
	struct config file;
	char line[1024], where[1100];
	int lineno = 0, ret = 0;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	config_defaults(&file);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *key, *value, *p;
		const struct option *o;

		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		key = trim(line);
		if (*key == '\0')
			continue;
		value = key + strcspn(key, " \t=");
		if (*value != '\0') {
			*value++ = '\0';
			value = trim(value);
			if (*value == '=')
				value = trim(value + 1);
		}
		for (o = longopts; o->name != NULL; o++)
			if (strcmp(o->name, key) == 0)
				break;
		if (o->name == NULL || o->val == OPT_CONFIG ||
		    o->val == OPT_HELP || o->val == OPT_VERSION) {
			snprintf(why, whylen, "%s: unknown key \"%s\"", where,
			    key);
			ret = -1;
			break;
		}
		if (*value == '\0' && o->has_arg == required_argument) {
			snprintf(why, whylen, "%s: %s needs a value", where,
			    key);
			ret = -1;
			break;
		}
		if (config_set(&file, o, *value ? value : NULL, where, why,
		    whylen) < 0) {
			ret = -1;
			break;
		}
	}
	fclose(f);
	if (ret == 0) {
		/* The command line wins. */
		if (cfg->nlisten == 0) {
			memcpy(cfg->listen, file.listen, sizeof(file.listen));
			cfg->nlisten = file.nlisten;
			file.nlisten = 0;
		}
#define TAKE(field) if (cfg->field == NULL) { cfg->field = file.field; file.field = NULL; }
		TAKE(capture)
		TAKE(output)
		TAKE(capture_method)
		TAKE(input)
		TAKE(pointer)
		TAKE(allow_keys)
		TAKE(keyboard_layout)
		TAKE(user)
		TAKE(users)
		TAKE(tls_cert)
		TAKE(tls_key)
		TAKE(tls_dir)
		TAKE(tls_client_ca)
		TAKE(tls_crl)
		TAKE(vnc_passwords)
		TAKE(sharing)
		TAKE(pid_file)
#undef TAKE
#define TAKE_FLAG(field) if (!cfg->field) cfg->field = file.field;
		TAKE_FLAG(allow_anonymous_tls)
		TAKE_FLAG(insecure_vnc_auth)
		TAKE_FLAG(insecure_no_auth)
		TAKE_FLAG(handshake_timeout)
#undef TAKE_FLAG
		if (!cfg->idle_timeout_set) {
			cfg->idle_timeout = file.idle_timeout;
			cfg->idle_timeout_set = file.idle_timeout_set;
		}
		if (cfg->encoder_threads < 0)
			cfg->encoder_threads = file.encoder_threads;
		if (!cfg->foreground)
			cfg->foreground = file.foreground;
		if (!cfg->paste_as_typing)
			cfg->paste_as_typing = file.paste_as_typing;
		if (!cfg->log_level_set)
			cfg->log_level = file.log_level;
	}
	config_free(&file);
	return ret;
}

/* A spec a helper will take (the registry's), or extra: the supervisor's
 * own word ("none": no helper), which may be NULL. */
static int
check_spec(const char *what, const char *spec,
    const struct registry_entry *table, size_t n, const char *extra,
    char *why, size_t whylen)
{
	const char *arg;

	if ((extra != NULL && strcmp(spec, extra) == 0) ||
	    registry_find(table, n, spec, &arg) >= 0)
		return 0;
	registry_error(table, n, what, extra, spec, why, whylen);
	return -1;
}

/*
 * --output and --capture-method choose a DRM screen and how to read it:
 * with another source they would be silently ignored, so they are an
 * error.  auto may pick drm, and hands them on.
 */
static int
check_drm_options(const struct config *cfg, char *why, size_t whylen)
{
	const char *arg;
	int id = registry_find(registry_sources, REGISTRY_SOURCE_COUNT,
	    cfg->capture, &arg);

	if (id == REGISTRY_SOURCE_DRM || id == REGISTRY_SOURCE_AUTO)
		return 0;
	if (cfg->capture_method != NULL) {
		snprintf(why, whylen, "--capture-method applies to the drm "
		    "source only (--capture drm or auto), not to %s",
		    cfg->capture);
		return -1;
	}
	if (cfg->output != NULL) {
		snprintf(why, whylen, "--output applies to the drm source only "
		    "(--capture drm or auto), not to %s", cfg->capture);
		return -1;
	}
	return 0;
}

/*
 * The options of authentication that only mean something together, and
 * the listener options that are gone: "security=none" once offered None
 * on any address, which no option does now.
 */
static int
check_security_options(const struct config *cfg, char *why, size_t whylen)
{
	for (int i = 0; i < cfg->nlisten; i++) {
		const char *opt = strchr(cfg->listen[i], ',');

		if (opt == NULL)
			continue;
		if (strcmp(opt, ",security=none") == 0)
			snprintf(why, whylen, "--listen %s: \"security=none\" "
			    "is no longer accepted: None is offered on unix "
			    "sockets, and on loopback addresses with "
			    "--insecure-no-auth; use a unix:PATH listener or "
			    "--insecure-no-auth, and accounts (rampart-passwd) "
			    "for the network", cfg->listen[i]);
		else
			snprintf(why, whylen, "--listen %s: unknown listener "
			    "option \"%s\" (a listener is tcp:ADDR:PORT, "
			    "tcp:[ADDR6]:PORT or unix:PATH)", cfg->listen[i],
			    opt + 1);
		return -1;
	}
	if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
		snprintf(why, whylen, "%s without %s: give both, or neither "
		    "for the self-signed certificate in --tls-dir",
		    cfg->tls_cert != NULL ? "--tls-cert" : "--tls-key",
		    cfg->tls_cert != NULL ? "--tls-key" : "--tls-cert");
		return -1;
	}
	if (cfg->tls_cert != NULL && cfg->tls_dir != NULL) {
		snprintf(why, whylen, "--tls-dir holds the self-signed "
		    "certificate, which --tls-cert replaces: give one of them");
		return -1;
	}
	if (cfg->tls_crl != NULL && cfg->tls_client_ca == NULL) {
		snprintf(why, whylen, "--tls-crl revokes client certificates: "
		    "it needs --tls-client-ca");
		return -1;
	}
	if (cfg->vnc_passwords != NULL && !cfg->insecure_vnc_auth) {
		snprintf(why, whylen, "--vnc-passwords applies only with "
		    "--insecure-vnc-auth");
		return -1;
	}
	return 0;
}

/*
 * A path after prefix (in "prefix" + "path"), made absolute against
 * basedir: a daemon runs in /, and a reload must name the same files as
 * the start did.
 */
static int
absolute(char **field, size_t prefix, const char *basedir)
{
	char *s = *field, *abs;

	if (s == NULL || strlen(s) <= prefix || s[prefix] == '/')
		return 0;
	if (asprintf(&abs, "%.*s%s%s%s", (int)prefix, s, basedir,
	    basedir[0] != '\0' && basedir[strlen(basedir) - 1] == '/' ? "" :
	    "/", s + prefix) < 0)
		return -1;
	free(s);
	*field = abs;
	return 0;
}

/* What the start needs that neither the file nor the command line gave:
 * the defaults, and every value checked. */
int
config_finish(struct config *cfg, const char *basedir, char *why,
    size_t whylen)
{
	const struct passwd *pw;
	int r = 0;

	if (cfg->nlisten == 0 &&
	    (cfg->listen[cfg->nlisten++] = strdup(DEFAULT_LISTEN)) == NULL)
		goto nomem;
	/* "auto" is decided by rampart-capture, which holds the devices. */
	if (cfg->capture == NULL)
		cfg->capture = strdup("auto");
	if (cfg->input == NULL)
		cfg->input = strdup("none");
	if (cfg->capture == NULL || cfg->input == NULL)
		goto nomem;
	if (check_spec("capture source", cfg->capture, registry_sources,
	    REGISTRY_SOURCE_COUNT, NULL, why, whylen) < 0 ||
	    check_spec("input sink", cfg->input, registry_sinks,
	    REGISTRY_SINK_COUNT, "none", why, whylen) < 0)
		return -1;
	if (check_drm_options(cfg, why, whylen) < 0)
		return -1;
	if (check_security_options(cfg, why, whylen) < 0)
		return -1;
	if (cfg->users == NULL)
		cfg->users = strdup(DEFAULT_USERS);
	if (cfg->tls_dir == NULL)
		cfg->tls_dir = strdup(DEFAULT_TLS_DIR);
	if (cfg->vnc_passwords == NULL)
		cfg->vnc_passwords = strdup(DEFAULT_VNC_PASSWORDS);
	if (cfg->users == NULL || cfg->tls_dir == NULL ||
	    cfg->vnc_passwords == NULL)
		goto nomem;
	if (cfg->handshake_timeout == 0)
		cfg->handshake_timeout = DEFAULT_HANDSHAKE_TIMEOUT;
	/* The broker would not do better with a user that is not there:
	 * only the default user may fall back to nobody. */
	if (cfg->user != NULL) {
		errno = 0;
		if ((pw = getpwnam(cfg->user)) == NULL) {
			if (errno != 0)
				snprintf(why, whylen, "user %s: %s", cfg->user,
				    strerror(errno));
			else
				snprintf(why, whylen, "user %s does not exist "
				    "(the broker's user, --user)", cfg->user);
			return -1;
		}
		if (pw->pw_uid == 0 || pw->pw_gid == 0) {
			snprintf(why, whylen, "user %s has uid or gid 0: the "
			    "broker must not run as root (--user)", cfg->user);
			return -1;
		}
	}
	for (int i = 0; i < cfg->nlisten; i++)
		if (strncmp(cfg->listen[i], "unix:", 5) == 0)
			r |= absolute(&cfg->listen[i], 5, basedir);
	if (strncmp(cfg->capture, "replay:", 7) == 0)
		r |= absolute(&cfg->capture, 7, basedir);
	if (strncmp(cfg->input, "log:", 4) == 0)
		r |= absolute(&cfg->input, 4, basedir);
	r |= absolute(&cfg->pid_file, 0, basedir);
	r |= absolute(&cfg->config_path, 0, basedir);
	r |= absolute(&cfg->users, 0, basedir);
	r |= absolute(&cfg->tls_cert, 0, basedir);
	r |= absolute(&cfg->tls_key, 0, basedir);
	r |= absolute(&cfg->tls_dir, 0, basedir);
	r |= absolute(&cfg->tls_client_ca, 0, basedir);
	r |= absolute(&cfg->tls_crl, 0, basedir);
	r |= absolute(&cfg->vnc_passwords, 0, basedir);
	if (r == 0)
		return 0;
nomem:
	snprintf(why, whylen, "out of memory");
	return -1;
}

static int
differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

/* The options that differ between a and b and take a restart to change,
 * by name in names; 0 when none does. */
int
config_differs(const struct config *a, const struct config *b, char *names,
    size_t len)
{
	int listen = a->nlisten != b->nlisten;
	size_t n;

	for (int i = 0; !listen && i < a->nlisten; i++)
		listen = differs(a->listen[i], b->listen[i]);
	snprintf(names, len, "%s%s%s%s%s%s%s%s%s%s%s%s",
	    listen ? ", listen" : "",
	    differs(a->capture, b->capture) ? ", capture" : "",
	    differs(a->output, b->output) ? ", output" : "",
	    differs(a->capture_method, b->capture_method) ?
	    ", capture-method" : "",
	    differs(a->input, b->input) ? ", input" : "",
	    differs(a->pointer, b->pointer) ? ", pointer" : "",
	    differs(a->allow_keys, b->allow_keys) ? ", allow-keys" : "",
	    differs(a->keyboard_layout, b->keyboard_layout) ?
	    ", keyboard-layout" : "",
	    a->paste_as_typing != b->paste_as_typing ? ", paste-as-typing" : "",
	    differs(a->user, b->user) ? ", user" : "",
	    differs(a->pid_file, b->pid_file) ? ", pid-file" : "",
	    a->encoder_threads != b->encoder_threads ? ", encoder-threads" : "");
	/*
	 * The files of authentication are read again on a reload, but from
	 * the paths rampart started with: the listeners' policy and the
	 * broker's options depend on them.
	 */
	n = strlen(names);
	snprintf(names + n, len - n, "%s%s%s%s%s%s%s%s%s%s%s%s%s",
	    differs(a->users, b->users) ? ", users" : "",
	    differs(a->tls_cert, b->tls_cert) ? ", tls-cert" : "",
	    differs(a->tls_key, b->tls_key) ? ", tls-key" : "",
	    differs(a->tls_dir, b->tls_dir) ? ", tls-dir" : "",
	    differs(a->tls_client_ca, b->tls_client_ca) ? ", tls-client-ca" : "",
	    differs(a->tls_crl, b->tls_crl) ? ", tls-crl" : "",
	    a->allow_anonymous_tls != b->allow_anonymous_tls ?
	    ", allow-anonymous-tls" : "",
	    a->insecure_vnc_auth != b->insecure_vnc_auth ?
	    ", insecure-vnc-auth" : "",
	    differs(a->vnc_passwords, b->vnc_passwords) ? ", vnc-passwords" : "",
	    a->insecure_no_auth != b->insecure_no_auth ?
	    ", insecure-no-auth" : "",
	    differs(a->sharing, b->sharing) ? ", sharing" : "",
	    a->handshake_timeout != b->handshake_timeout ?
	    ", handshake-timeout" : "",
	    a->idle_timeout != b->idle_timeout ? ", idle-timeout" : "");
	if (names[0] == '\0')
		return 0;
	memmove(names, names + 2, strlen(names + 2) + 1);
	return 1;
}
