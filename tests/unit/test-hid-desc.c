/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The report descriptors of contrib/rampart-hid-gadget, read from the
 * script itself and parsed by a small parser of HID 1.11 section 6.2.2
 * (short items; main, global and local state), so that a descriptor that
 * is malformed or does not describe the reports input/hidg.c writes is
 * caught here rather than by a host that ignores the device: collections
 * closed, no report ids, the bit layout of each field where hidg.h says
 * it is, ranges that the values written fit.  Broken copies (a count
 * changed, a collection left open, a byte cut off) must fail.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/hid-usage.h"
#include "input/hidg.h"
#include "tests/tap.h"

#define MAX_FIELDS	32

struct field {
	int		output;		/* 0 input, 1 output */
	unsigned int	offset;		/* in bits, in its report */
	unsigned int	size, count;
	unsigned int	flags;		/* of the main item */
	unsigned int	page;
	unsigned int	umin, umax;	/* usages: a range, or the list's */
	unsigned int	nusages;
	long		lmin, lmax;
};

struct parsed {
	struct field	f[MAX_FIELDS];
	int		n;
	unsigned int	in_bits, out_bits;
	char		error[160];
};

static int
fail(struct parsed *p, const char *what, unsigned int at)
{
	snprintf(p->error, sizeof(p->error), "%s (byte %u)", what, at);
	return -1;
}

/* Parse a descriptor: 0, or -1 with the reason in p->error. */
static int
parse(const uint8_t *d, size_t len, struct parsed *p)
{
	unsigned int page = 0, size = 0, count = 0, depth = 0;
	unsigned int usages[16], nusages = 0, umin = 0, umax = 0, range = 0;
	long lmin = 0, lmax = 0;
	int have_min = 0, have_max = 0;

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; i < len; ) {
		uint8_t prefix = d[i];
		unsigned int n = prefix & 3, type = (prefix >> 2) & 3,
		    tag = prefix >> 4, at = (unsigned int)i;
		unsigned long u = 0;
		long s;

		if (n == 3)
			n = 4;
		if (prefix == 0xfe)
			return fail(p, "a long item", at);
		if (i + 1 + n > len)
			return fail(p, "an item cut off", at);
		for (unsigned int b = 0; b < n; b++)
			u |= (unsigned long)d[i + 1 + b] << (8 * b);
		/* Logical values are signed in the item's own size. */
		s = n == 0 ? 0 : n == 1 ? (int8_t)u : n == 2 ? (int16_t)u :
		    (long)(int32_t)u;
		i += 1 + n;
		if (type == 1) {			/* global */
			switch (tag) {
			case 0x0: page = (unsigned int)u; break;
			case 0x1: lmin = s; have_min = 1; break;
			case 0x2: lmax = s; have_max = 1; break;
			case 0x7: size = (unsigned int)u; break;
			case 0x8: return fail(p, "a report id", at);
			case 0x9: count = (unsigned int)u; break;
			case 0x3: case 0x4: case 0x5: case 0x6: break;
			default: return fail(p, "an unknown global item", at);
			}
		} else if (type == 2) {			/* local */
			/* A usage of 3 or 4 bytes carries its page; ours
			 * are all 1 or 2 bytes, on the current page. */
			switch (tag) {
			case 0x0:
				if (nusages == 16)
					return fail(p, "too many usages", at);
				usages[nusages++] = (unsigned int)u;
				break;
			case 0x1: umin = (unsigned int)u; range |= 1; break;
			case 0x2: umax = (unsigned int)u; range |= 2; break;
			default: return fail(p, "an unknown local item", at);
			}
		} else if (type == 0) {			/* main */
			struct field *f;

			switch (tag) {
			case 0xa:
				depth++;
				break;
			case 0xc:
				if (depth == 0)
					return fail(p, "an End Collection of "
					    "nothing", at);
				depth--;
				break;
			case 0x8:
			case 0x9:
				if (p->n == MAX_FIELDS)
					return fail(p, "too many fields", at);
				if (depth == 0)
					return fail(p, "a field outside any "
					    "collection", at);
				if (size == 0 || count == 0)
					return fail(p, "a field without report "
					    "size or count", at);
				f = &p->f[p->n++];
				f->output = tag == 0x9;
				f->offset = f->output ? p->out_bits :
				    p->in_bits;
				f->size = size;
				f->count = count;
				f->flags = (unsigned int)u;
				f->page = page;
				f->lmin = lmin;
				f->lmax = lmax;
				if (range == 3) {
					f->umin = umin;
					f->umax = umax;
				} else if (nusages > 0) {
					f->umin = usages[0];
					f->umax = usages[nusages - 1];
				}
				f->nusages = range == 3 ? umax - umin + 1 :
				    nusages;
				if (!(f->flags & 1)) {	/* data */
					if (f->nusages == 0)
						return fail(p, "a data field "
						    "without usages", at);
					if (!have_min || !have_max ||
					    lmin > lmax)
						return fail(p, "a data field "
						    "without a logical range",
						    at);
				}
				*(f->output ? &p->out_bits : &p->in_bits) +=
				    size * count;
				break;
			default:
				return fail(p, "a feature or unknown main item",
				    at);
			}
			nusages = range = 0;
		} else
			return fail(p, "a reserved item type", at);
	}
	if (depth != 0)
		return fail(p, "a collection left open", (unsigned int)len);
	return 0;
}

/* The bytes of NAME='...' in the script: hex, comments after #. */
static size_t
descriptor(const char *script, const char *name, uint8_t *out, size_t max)
{
	char start[64];
	const char *s, *end;
	size_t n = 0;

	snprintf(start, sizeof(start), "\n%s='", name);
	if ((s = strstr(script, start)) == NULL)
		return 0;
	s += strlen(start);
	if ((end = strchr(s, '\'')) == NULL)
		return 0;
	while (s < end) {
		unsigned int b;
		int used;

		if (*s == '#') {
			while (s < end && *s != '\n')
				s++;
		} else if (*s == ' ' || *s == '\t' || *s == '\n') {
			s++;
		} else if (sscanf(s, "%2x%n", &b, &used) == 1 && used == 2 &&
		    n < max) {
			out[n++] = (uint8_t)b;
			s += 2;
		} else
			return 0;
	}
	return n;
}

static const struct field *
find(const struct parsed *p, int output, unsigned int page, unsigned int
    usage)
{
	for (int i = 0; i < p->n; i++)
		if (p->f[i].output == output && !(p->f[i].flags & 1) &&
		    p->f[i].page == page && usage >= p->f[i].umin &&
		    usage <= p->f[i].umax)
			return &p->f[i];
	return NULL;
}

/* Whether the keyboard descriptor describes hidg.h's keyboard report. */
static int
keyboard_ok(const struct parsed *p, char *why, size_t len)
{
	const struct field *mods = find(p, 0, 0x07, 0xe0);
	const struct field *keys = find(p, 0, 0x07, 0x04);
	const struct field *leds = find(p, 1, 0x08, 0x01);
	unsigned int top = 0;

	for (unsigned int code = 0; code < 256; code++)
		if (hid_usage_of_key(code) > top &&
		    hid_modifier_of_key(code) == 0)
			top = hid_usage_of_key(code);
	if (p->in_bits != HIDG_KEYBOARD_LEN * 8)
		snprintf(why, len, "input report of %u bits", p->in_bits);
	else if (mods == NULL || mods->offset != 0 || mods->size != 1 ||
	    mods->count != 8 || mods->umin != 0xe0 || mods->umax != 0xe7 ||
	    !(mods->flags & 2))
		snprintf(why, len, "no modifier bits in byte 0");
	else if (keys == NULL || keys->offset != 16 || keys->size != 8 ||
	    keys->count != 6 || (keys->flags & 2) || keys->lmin != 0 ||
	    keys->lmax < (long)top || keys->umax < top)
		snprintf(why, len, "no array of 6 keys in bytes 2-7 up to "
		    "usage 0x%02x", top);
	else if (keys->lmin > HID_USAGE_ERROR_ROLL_OVER)
		snprintf(why, len, "ErrorRollOver out of range");
	else if (p->out_bits != 8 || leds == NULL || leds->offset != 0 ||
	    leds->size != 1 || leds->count < 3 || leds->umin != 1)
		snprintf(why, len, "no LED output byte (Num, Caps, Scroll "
		    "in bits 0-2)");
	else
		return 1;
	return 0;
}

/* Whether the pointer descriptor describes hidg.h's pointer report. */
static int
pointer_ok(const struct parsed *p, char *why, size_t len)
{
	const struct field *b = find(p, 0, 0x09, 1);
	const struct field *x = find(p, 0, 0x01, 0x30);
	const struct field *w = find(p, 0, 0x01, 0x38);
	const struct field *pan = find(p, 0, 0x0c, 0x238);

	if (p->in_bits != HIDG_POINTER_LEN * 8 || p->out_bits != 0)
		snprintf(why, len, "input report of %u bits, output %u",
		    p->in_bits, p->out_bits);
	else if (b == NULL || b->offset != 0 || b->size != 1 ||
	    b->count != 5 || b->umax != 5)
		snprintf(why, len, "no buttons 1-5 in bits 0-4");
	else if (x == NULL || x->offset != 8 || x->size != 16 ||
	    x->count != 2 || x->umax != 0x31 || x->lmin != 0 ||
	    x->lmax != HIDG_XY_MAX || (x->flags & 4) ||
	    !(x->flags & 0x40) || HIDG_XY_NONE <= HIDG_XY_MAX)
		snprintf(why, len, "no absolute X, Y of 0..%d with a null "
		    "state in bytes 1-4", HIDG_XY_MAX);
	else if (w == NULL || w->offset != 40 || w->size != 8 ||
	    w->count != 1 || !(w->flags & 4) || w->lmin != -127 ||
	    w->lmax != 127)
		snprintf(why, len, "no relative wheel -127..127 in byte 5");
	else if (pan == NULL || pan->offset != 48 || pan->size != 8 ||
	    !(pan->flags & 4) || pan->lmin != -127 || pan->lmax != 127)
		snprintf(why, len, "no relative AC Pan in byte 6");
	else
		return 1;
	return 0;
}

/* A descriptor is good: it parses, and describes what hidg.c writes. */
static int
good(const uint8_t *d, size_t len, int keyboard, char *why, size_t wlen)
{
	struct parsed p;

	if (parse(d, len, &p) < 0) {
		snprintf(why, wlen, "%s", p.error);
		return 0;
	}
	return keyboard ? keyboard_ok(&p, why, wlen) :
	    pointer_ok(&p, why, wlen);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0 || (buf = calloc(1, (size_t)n + 1)) ==
	    NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	fclose(f);
	return buf;
}

/* Each way to break it is caught. */
static void
breakages(const uint8_t *d, size_t len, int keyboard, const char *name)
{
	uint8_t copy[512];
	char why[160];
	int caught = 0, tried = 0;

	/* Every item whose value is a count or size, one more. */
	for (size_t i = 0; i + 1 < len; i++) {
		if (d[i] != 0x95 && d[i] != 0x75)
			continue;
		memcpy(copy, d, len);
		copy[i + 1]++;
		tried++;
		caught += !good(copy, len, keyboard, why, sizeof(why));
	}
	ok(tried > 3 && caught == tried, "%s: each of %d counts and sizes "
	    "changed by one is caught", name, tried);
	ok(!good(d, len - 1, keyboard, why, sizeof(why)),
	    "%s: the last End Collection gone is caught (%s)", name, why);
	ok(!good(d, len - 2, keyboard, why, sizeof(why)),
	    "%s: two bytes short is caught (%s)", name, why);
	memcpy(copy, d, len);
	copy[len] = 0x85;	/* Report ID */
	copy[len + 1] = 0x01;
	ok(!good(copy, len + 2, keyboard, why, sizeof(why)),
	    "%s: a report id is caught (%s)", name, why);
}

int
main(void)
{
	const char *src = getenv("top_srcdir");
	char path[1024], why[160];
	uint8_t kbd[512], ptr[512];
	size_t nk, np;
	char *script;

	snprintf(path, sizeof(path), "%s/contrib/rampart-hid-gadget",
	    src != NULL ? src : ".");
	if ((script = slurp(path)) == NULL) {
		printf("Bail out! cannot read %s\n", path);
		return 1;
	}
	nk = descriptor(script, "KEYBOARD_DESC", kbd, sizeof(kbd) - 2);
	np = descriptor(script, "POINTER_DESC", ptr, sizeof(ptr) - 2);
	ok(nk > 0 && np > 0, "the script has both descriptors (%zu and %zu "
	    "bytes)", nk, np);
	ok(good(kbd, nk, 1, why, sizeof(why)), "the keyboard's is the boot "
	    "report of hidg.h with the LED output report%s%s",
	    good(kbd, nk, 1, why, sizeof(why)) ? "" : ": ",
	    good(kbd, nk, 1, why, sizeof(why)) ? "" : why);
	ok(good(ptr, np, 0, why, sizeof(why)), "the pointer's is the "
	    "absolute report of hidg.h%s%s",
	    good(ptr, np, 0, why, sizeof(why)) ? "" : ": ",
	    good(ptr, np, 0, why, sizeof(why)) ? "" : why);
	ok(!good(kbd, nk, 0, why, sizeof(why)) &&
	    !good(ptr, np, 1, why, sizeof(why)),
	    "neither passes for the other");
	ok(strstr(script, "report_length") != NULL &&
	    strstr(script, "make_function keyboard 1 1 8 ") != NULL &&
	    strstr(script, "make_function pointer 0 0 7 ") != NULL &&
	    HIDG_KEYBOARD_LEN == 8 && HIDG_POINTER_LEN == 7,
	    "the script's report lengths are hidg.h's (8 and 7)");
	breakages(kbd, nk, 1, "keyboard");
	breakages(ptr, np, 0, "pointer");
	free(script);
	return done_testing();
}
