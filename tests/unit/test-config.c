/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The supervisor's options for the drm source, --output and
 * --capture-method (supervisor/config.c): the values taken and refused
 * with their reasons, from the command line and from the file, refused
 * with a source they do not apply to, and "auto" left for the capture
 * helper to decide.
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
	return done_testing();
}
