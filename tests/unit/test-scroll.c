/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scroll_detect on made-up screens: windows of text-like lines (random
 * glyphs of 8x16 cells, lines of random length) scrolled by a known dy,
 * with static or changing surroundings.  Every move found is checked here,
 * pixel for pixel, against the frames (and inside the screen and the
 * damage), and then applied in order to a copy of prev as a viewer applies
 * CopyRects: the copy must then hold cur's pixels at every destination.
 * Where a scroll is there to be found, the moves must also cover most of it
 * with its dy.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "broker/damage.h"
#include "broker/scroll.h"
#include "tests/tap.h"

#define LINE	16	/* a text line, in rows */
#define CELL	8	/* a glyph, in columns */
#define T	DAMAGE_TILE
#define BASE	4096	/* document row at the top of prev: room to scroll */

enum doc_kind {
	DOC_TEXT,	/* lines of glyphs, some short or empty */
	DOC_FULL,	/* lines of glyphs, every one across the window */
	DOC_ROWS,	/* every row its own random colour (thin screens) */
	DOC_MARK,	/* one colour, but pixel cols of every 64 per row */
};

/* What a window shows: row r of the document is a function of r. */
struct doc {
	enum doc_kind	kind;
	uint64_t	seed;
	uint32_t	cols;		/* glyph cells across */
	uint32_t	bg;
};

struct screen {
	uint32_t	w, h;
	size_t		stride;
	uint8_t		*prev, *cur, *view;
	struct damage	d;
};

static struct scroll_scratch scratch;
static int xjunk;			/* random X bytes in what is drawn */
static uint64_t junk_state = 0x853c49e6748fea9bull;

static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint32_t
doc_pixel(const struct doc *doc, uint32_t row, uint32_t x)
{
	static const uint32_t fg[4] = {
		0xd0d0d0, 0x40ff40, 0xff5050, 0x5080ff,
	};
	uint32_t line = row / LINE, gr = row % LINE, cell = x / CELL, len;
	uint64_t lh, bits;

	if (doc->kind == DOC_ROWS)
		return (uint32_t)mix64(doc->seed ^ ((uint64_t)row << 20) ^ x) &
		    0xffffff;
	if (doc->kind == DOC_MARK)
		return x % T == doc->cols ?
		    (uint32_t)mix64(doc->seed + row) & 0xffffff : doc->bg;
	lh = mix64(doc->seed * 1000003u + line);
	len = doc->kind == DOC_FULL ? UINT32_MAX :
	    (uint32_t)(lh % (doc->cols + 8));
	/* Two blank rows above and below each glyph, as in real fonts. */
	if (gr < 2 || gr >= LINE - 2 || cell >= len)
		return doc->bg;
	bits = mix64(lh ^ ((uint64_t)cell << 8 | gr));
	return (bits >> (x % CELL)) & 1 ? fg[(lh >> 40) & 3] : doc->bg;
}

static void
put(uint8_t *f, size_t stride, uint32_t x, uint32_t y, uint32_t rgb)
{
	uint8_t *p = f + (size_t)y * stride + (size_t)x * 4;

	p[0] = (uint8_t)rgb;
	p[1] = (uint8_t)(rgb >> 8);
	p[2] = (uint8_t)(rgb >> 16);
	if (xjunk) {
		junk_state = mix64(junk_state);
		p[3] = (uint8_t)junk_state;
	} else
		p[3] = 0;
}

/* Window x0, y0, w x h shows the document from row off. */
static void
draw(uint8_t *f, const struct screen *s, const struct doc *doc, uint32_t x0,
    uint32_t y0, uint32_t w, uint32_t h, uint32_t off)
{
	uint32_t x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			put(f, s->stride, x0 + x, y0 + y,
			    doc_pixel(doc, off + y, x));
}

/* A wallpaper whose rows all differ: nothing over it moves with a window. */
static void
gradient(uint8_t *f, const struct screen *s)
{
	uint32_t x, y;

	for (y = 0; y < s->h; y++)
		for (x = 0; x < s->w; x++)
			put(f, s->stride, x, y, (y * 255 / s->h) << 16 |
			    ((x * 3 + y) & 0xff) << 8 | 0x40);
}

static void
fill(uint8_t *f, const struct screen *s, uint32_t rgb)
{
	uint32_t x, y;

	for (y = 0; y < s->h; y++)
		for (x = 0; x < s->w; x++)
			put(f, s->stride, x, y, rgb);
}

static void
noise(uint8_t *f, const struct screen *s, uint32_t x0, uint32_t y0,
    uint32_t w, uint32_t h, uint64_t seed)
{
	uint32_t x, y;

	for (y = y0; y < y0 + h; y++)
		for (x = x0; x < x0 + w; x++)
			put(f, s->stride, x, y,
			    (uint32_t)mix64(seed ^ ((uint64_t)y << 32) ^ x));
}

static void
screen_new(struct screen *s, uint32_t w, uint32_t h, size_t pad)
{
	size_t i, size;

	s->w = w;
	s->h = h;
	s->stride = (size_t)w * 4 + pad;
	size = s->stride * h;
	if ((s->prev = malloc(size)) == NULL ||
	    (s->cur = malloc(size)) == NULL ||
	    (s->view = malloc(size)) == NULL ||
	    damage_init(&s->d, w, h) == -1)
		bail("out of memory");
	/* Padding past the pixels differs between the frames: not pixels. */
	for (i = 0; i < size; i++) {
		s->prev[i] = (uint8_t)mix64(i);
		s->cur[i] = (uint8_t)mix64(i + 7);
	}
}

static void
screen_free(struct screen *s)
{
	free(s->prev);
	free(s->cur);
	free(s->view);
	damage_free(&s->d);
}

static int
same_pixel(const uint8_t *a, const uint8_t *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
}

static int
rect_meet(const struct rect *a, const struct rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	    a->y < b->y + b->h && b->y < a->y + a->h;
}

/*
 * Every move lies in the screen (its source too), in damaged tiles, is at
 * least the minimum, is exact, and no two destinations meet; applied one
 * after the other to a copy of prev, the copy holds cur at each
 * destination.
 */
static int
moves_ok(struct screen *s, const struct scroll_move *m, size_t n,
    const char *what)
{
	const uint8_t *a, *b;
	uint8_t *row;
	uint32_t x, y;
	int64_t sy;
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct rect *r = &m[i].dst;

		sy = (int64_t)r->y - m[i].dy;
		if (r->w == 0 || r->h < SCROLL_MIN_HEIGHT ||
		    (uint64_t)r->w * r->h < SCROLL_MIN_AREA || m[i].dy == 0 ||
		    (uint64_t)r->x + r->w > s->w ||
		    (uint64_t)r->y + r->h > s->h || sy < 0 ||
		    sy + r->h > s->h) {
			diag("%s: move %zu %ux%u+%u+%u dy %d out of bounds",
			    what, i, r->w, r->h, r->x, r->y, m[i].dy);
			return 0;
		}
		for (y = r->y; y < r->y + r->h; y++) {
			for (x = r->x; x < r->x + r->w; x++) {
				if (!s->d.tiles[(size_t)(y / T) * s->d.cols +
				    x / T]) {
					diag("%s: move %zu covers undamaged "
					    "tile of %u,%u", what, i, x, y);
					return 0;
				}
				a = s->cur + (size_t)y * s->stride + x * 4;
				b = s->prev + (size_t)(y - m[i].dy) * s->stride +
				    x * 4;
				if (!same_pixel(a, b)) {
					diag("%s: move %zu wrong at %u,%u",
					    what, i, x, y);
					return 0;
				}
			}
		}
		for (j = 0; j < i; j++) {
			if (rect_meet(&m[i].dst, &m[j].dst)) {
				diag("%s: moves %zu and %zu overlap", what, j,
				    i);
				return 0;
			}
		}
	}
	/* As a viewer: each CopyRect reads what the ones before left. */
	memcpy(s->view, s->prev, s->stride * s->h);
	for (i = 0; i < n; i++) {
		const struct rect *r = &m[i].dst;
		size_t rb = (size_t)r->w * 4;

		if ((row = malloc(rb * r->h)) == NULL)
			bail("out of memory");
		for (y = 0; y < r->h; y++)
			memcpy(row + y * rb, s->view + (size_t)(r->y + y -
			    m[i].dy) * s->stride + (size_t)r->x * 4, rb);
		for (y = 0; y < r->h; y++)
			memcpy(s->view + (size_t)(r->y + y) * s->stride +
			    (size_t)r->x * 4, row + y * rb, rb);
		free(row);
	}
	for (i = 0; i < n; i++) {
		const struct rect *r = &m[i].dst;

		for (y = r->y; y < r->y + r->h; y++) {
			for (x = r->x; x < r->x + r->w; x++) {
				if (!same_pixel(s->view + (size_t)y * s->stride +
				    x * 4, s->cur + (size_t)y * s->stride +
				    x * 4)) {
					diag("%s: applied in order, move %zu "
					    "leaves %u,%u wrong", what, i, x, y);
					return 0;
				}
			}
		}
	}
	return 1;
}

/* The pixels of r inside damaged tiles. */
static uint64_t
damaged_in(const struct screen *s, const struct rect *r)
{
	uint64_t n = 0;
	uint32_t x, y;

	for (y = r->y; y < r->y + r->h; y++)
		for (x = r->x; x < r->x + r->w; x++)
			n += s->d.tiles[(size_t)(y / T) * s->d.cols + x / T] != 0;
	return n;
}

/* The pixels of r that moves with dy cover (moves are disjoint). */
static uint64_t
covered(const struct scroll_move *m, size_t n, const struct rect *r,
    int32_t dy)
{
	uint64_t a = 0;
	uint32_t x0, x1, y0, y1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (m[i].dy != dy)
			continue;
		x0 = m[i].dst.x > r->x ? m[i].dst.x : r->x;
		y0 = m[i].dst.y > r->y ? m[i].dst.y : r->y;
		x1 = m[i].dst.x + m[i].dst.w < r->x + r->w ?
		    m[i].dst.x + m[i].dst.w : r->x + r->w;
		y1 = m[i].dst.y + m[i].dst.h < r->y + r->h ?
		    m[i].dst.y + m[i].dst.h : r->y + r->h;
		if (x1 > x0 && y1 > y0)
			a += (uint64_t)(x1 - x0) * (y1 - y0);
	}
	return a;
}

/* The rows of a window x, y, w x h that a scroll by dy moved. */
static struct rect
moved_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h, int32_t dy)
{
	struct rect r = { x, y, w, h };

	if (dy > 0)
		r.y += (uint32_t)dy;
	r.h -= (uint32_t)abs(dy);
	return r;
}

static size_t
detect(struct screen *s, struct scroll_move *m, size_t max)
{
	damage_compare(&s->d, s->prev, s->cur, s->stride, 4);
	return scroll_detect(s->prev, s->cur, s->stride, s->w, s->h, &s->d, m,
	    max, &scratch);
}

/* At least pct percent of the damaged part of r covered with dy. */
static int
covers(const struct screen *s, const struct scroll_move *m, size_t n,
    const struct rect *r, int32_t dy, unsigned int pct, uint64_t *got,
    uint64_t *want)
{
	*want = damaged_in(s, r);
	*got = covered(m, n, r, dy);
	return *want > 0 && *got * 100 >= *want * pct;
}

/*
 * The whole screen scrolls.  Lines of text of random length make the
 * damage a staircase at their ends that SCROLL_MAX_MOVES rectangles of
 * damaged tiles cannot all cover: pct says how much they must.
 */
static void
test_full_screen(uint32_t w, uint32_t h, size_t pad, int portable,
    enum doc_kind kind, unsigned int pct)
{
	static const int32_t dys[] = { 1, -1, 16, -16, 17, -17, 100, -100 };
	struct doc doc = { kind, 11, 0, 0x202020 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct screen s;
	struct rect r;
	uint64_t got, want;
	int cv;
	size_t i, n;
	int crc = scratch.crc;

	if (portable)
		scratch.crc = 0;
	screen_new(&s, w, h, pad);
	doc.cols = w / CELL;
	for (i = 0; i < sizeof(dys) / sizeof(dys[0]); i++) {
		draw(s.prev, &s, &doc, 0, 0, w, h, BASE);
		draw(s.cur, &s, &doc, 0, 0, w, h, BASE - dys[i]);
		n = detect(&s, m, SCROLL_MAX_MOVES);
		r = moved_rect(0, 0, w, h, dys[i]);
		cv = covers(&s, m, n, &r, dys[i], pct, &got, &want);
	ok(moves_ok(&s, m, n, "full screen") &&
		    cv,
		    "%ux%u%s%s%s, scroll by %d: %zu moves, exact, cover "
		    "%llu of %llu moved damaged pixels", w, h,
		    kind == DOC_FULL ? " full lines" : "", pad ? " padded" : "",
		    portable ? " (portable hash)" : "",
		    dys[i], n, (unsigned long long)got,
		    (unsigned long long)want);
	}
	screen_free(&s);
	scratch.crc = crc;
}

/* A window scrolls over a gradient wallpaper, a clock changes elsewhere. */
static void
test_window(void)
{
	struct doc doc = { DOC_TEXT, 21, 610 / CELL, 0x101830 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct rect win = { 203, 141, 610, 420 }, clock = { 1100, 40, 120, 120 };
	struct rect r;
	struct screen s;
	uint64_t got, want;
	int cv;
	size_t n, i;
	int inside = 1;

	screen_new(&s, 1280, 800, 0);
	gradient(s.prev, &s);
	gradient(s.cur, &s);
	draw(s.prev, &s, &doc, win.x, win.y, win.w, win.h, BASE);
	draw(s.cur, &s, &doc, win.x, win.y, win.w, win.h, BASE + 32);
	noise(s.prev, &s, clock.x, clock.y, clock.w, clock.h, 1);
	noise(s.cur, &s, clock.x, clock.y, clock.w, clock.h, 2);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	for (i = 0; i < n; i++)
		if (m[i].dst.x < win.x || m[i].dst.y < win.y ||
		    m[i].dst.x + m[i].dst.w > win.x + win.w ||
		    m[i].dst.y + m[i].dst.h > win.y + win.h)
			inside = 0;
	r = moved_rect(win.x, win.y, win.w, win.h, -32);
	cv = covers(&s, m, n, &r, -32, 95, &got, &want);
	ok(moves_ok(&s, m, n, "window") && inside &&
	    cv,
	    "window 610x420+203+141 scrolls by -32 over a gradient, a clock "
	    "changes: %zu moves inside the window, cover %llu of %llu "
	    "(edges widened past tile borders)", n, (unsigned long long)got,
	    (unsigned long long)want);
	screen_free(&s);
}

/* A header that stays (textured, or a plain bar) above a scrolling body. */
static void
test_sticky(int plain, int32_t dy)
{
	struct doc body = { DOC_FULL, 31, 1024 / CELL, 0xffffff };
	struct doc head = { DOC_FULL, 32, 1024 / CELL, 0x303030 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct screen s;
	struct rect r;
	uint64_t got, want;
	int cv;
	size_t n, i;
	int body_only = 1;

	screen_new(&s, 1024, 768, 0);
	if (plain) {
		fill(s.prev, &s, 0x303030);
		fill(s.cur, &s, 0x303030);
	} else {
		draw(s.prev, &s, &head, 0, 0, 1024, 72, 0);
		draw(s.cur, &s, &head, 0, 0, 1024, 72, 0);
	}
	draw(s.prev, &s, &body, 0, 72, 1024, 768 - 72, BASE);
	draw(s.cur, &s, &body, 0, 72, 1024, 768 - 72, BASE - dy);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	for (i = 0; i < n; i++)
		if (m[i].dy != dy || m[i].dst.y < 72)
			body_only = 0;
	r = moved_rect(0, 72, 1024, 768 - 72, dy);
	cv = covers(&s, m, n, &r, dy, 90, &got, &want);
	ok(moves_ok(&s, m, n, "sticky header") && body_only &&
	    cv,
	    "%s header of 72 rows, body scrolls by %d: %zu moves, all the "
	    "body's, cover %llu of %llu", plain ? "plain" : "textured", dy, n,
	    (unsigned long long)got, (unsigned long long)want);
	screen_free(&s);
}

/*
 * A page's body scrolls beside a sidebar that stays (a table of contents)
 * and whose highlighted entry changed: the sidebar's damage joins the
 * body's, so whole rows match only below the sidebar's text; the body's
 * columns must still come out as one move, and the move over the blank
 * rows under the sidebar must give way to it.
 */
static void
test_sidebar(void)
{
	struct doc body = { DOC_FULL, 111, 834 / CELL, 0xffffff };
	struct doc side = { DOC_FULL, 112, 190 / CELL, 0xffffff };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct rect r, sb = { 0, 0, 190, 460 };
	struct screen s;
	uint64_t got, want;
	size_t n, i;
	int cv, body_only = 1;

	screen_new(&s, 1024, 768, 0);
	fill(s.prev, &s, 0xffffff);
	fill(s.cur, &s, 0xffffff);
	draw(s.prev, &s, &side, sb.x, sb.y, sb.w, sb.h, 0);
	draw(s.cur, &s, &side, sb.x, sb.y, sb.w, sb.h, 0);
	noise(s.cur, &s, 8, 100, 170, 16, 113);
	draw(s.prev, &s, &body, 190, 0, 834, 768, BASE);
	draw(s.cur, &s, &body, 190, 0, 834, 768, BASE + 20);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	for (i = 0; i < n; i++)
		if (m[i].dy != -20 || m[i].dst.x < 190)
			body_only = 0;
	r = moved_rect(190, 0, 834, 768, -20);
	cv = covers(&s, m, n, &r, -20, 95, &got, &want);
	ok(moves_ok(&s, m, n, "sidebar") && body_only && cv,
	    "body scrolls by -20 beside a sidebar whose highlight changed: %zu "
	    "moves, all in the body, cover %llu of %llu", n,
	    (unsigned long long)got, (unsigned long long)want);
	screen_free(&s);
}

/* Two terminals scroll by different amounts, apart or side by side. */
static void
test_two(int touching)
{
	struct doc left = { DOC_TEXT, 41, 0, 0x000000 };
	struct doc right = { DOC_TEXT, 42, 0, 0x000020 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct rect lw, rw, lr, rr;
	struct screen s;
	uint64_t gl, wl, gr, wr;
	size_t n;
	int okl, okr;

	if (touching) {
		lw = (struct rect){ 0, 0, 640, 800 };
		rw = (struct rect){ 640, 0, 640, 800 };
	} else {
		lw = (struct rect){ 20, 30, 460, 670 };
		rw = (struct rect){ 650, 100, 600, 550 };
	}
	left.cols = lw.w / CELL;
	right.cols = rw.w / CELL;
	screen_new(&s, 1280, 800, 0);
	fill(s.prev, &s, 0x336699);
	fill(s.cur, &s, 0x336699);
	draw(s.prev, &s, &left, lw.x, lw.y, lw.w, lw.h, BASE);
	draw(s.cur, &s, &left, lw.x, lw.y, lw.w, lw.h, BASE + 16);
	draw(s.prev, &s, &right, rw.x, rw.y, rw.w, rw.h, BASE);
	draw(s.cur, &s, &right, rw.x, rw.y, rw.w, rw.h, BASE - 48);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	lr = moved_rect(lw.x, lw.y, lw.w, lw.h, -16);
	rr = moved_rect(rw.x, rw.y, rw.w, rw.h, 48);
	okl = covers(&s, m, n, &lr, -16, 80, &gl, &wl);
	okr = covers(&s, m, n, &rr, 48, 80, &gr, &wr);
	ok(moves_ok(&s, m, n, "two terminals") && okl && okr,
	    "two terminals %s, by -16 and +48: %zu moves, cover %llu of %llu "
	    "and %llu of %llu", touching ? "side by side (one damaged region)" :
	    "apart", n, (unsigned long long)gl, (unsigned long long)wl,
	    (unsigned long long)gr, (unsigned long long)wr);
	screen_free(&s);
}

/* Changes that are no scroll give no move. */
static void
test_no_scroll(void)
{
	struct doc doc = { DOC_TEXT, 51, 1000 / CELL, 0x202020 };
	struct doc other = { DOC_TEXT, 52, 1000 / CELL, 0x202020 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct screen s;
	size_t n;
	int i;

	screen_new(&s, 1000, 700, 0);
	draw(s.prev, &s, &doc, 0, 0, 1000, 700, BASE);
	draw(s.cur, &s, &doc, 0, 0, 1000, 700, BASE);
	for (i = 0; i < 6; i++)
		noise(s.cur, &s, 37 + i * 150, 20 + i * 100, 130, 90, 60 + i);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	ok(n == 0 && s.d.count > 0,
	    "random rectangles changed: no move (%zu), %zu tiles damaged", n,
	    s.d.count);

	draw(s.cur, &s, &other, 0, 0, 1000, 700, BASE);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	ok(n == 0 && s.d.count > 0,
	    "other text everywhere: no move (%zu), %zu tiles damaged", n,
	    s.d.count);

	/* Every tile said damaged, nothing changed: nothing to move. */
	draw(s.cur, &s, &doc, 0, 0, 1000, 700, BASE);
	damage_add_all(&s.d);
	n = scroll_detect(s.prev, s.cur, s.stride, s.w, s.h, &s.d, m,
	    SCROLL_MAX_MOVES, &scratch);
	ok(n == 0, "damage everywhere but no pixel changed: no move (%zu)", n);
	screen_free(&s);
}

/* One pixel inside a scrolled area also changed. */
static void
test_exact(void)
{
	struct doc doc = { DOC_FULL, 61, 1000 / CELL, 0x202020 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct rect r, px = { 500, 350, 1, 1 };
	struct screen s;
	uint64_t got, want;
	int cv;
	size_t n, i;
	int clear = 1;

	screen_new(&s, 1000, 700, 0);
	draw(s.prev, &s, &doc, 0, 0, 1000, 700, BASE);
	draw(s.cur, &s, &doc, 0, 0, 1000, 700, BASE + 16);
	s.cur[350 * s.stride + 500 * 4] ^= 1;
	n = detect(&s, m, SCROLL_MAX_MOVES);
	for (i = 0; i < n; i++)
		if (rect_meet(&m[i].dst, &px))
			clear = 0;
	r = moved_rect(0, 0, 1000, 700, -16);
	cv = covers(&s, m, n, &r, -16, 90, &got, &want);
	ok(moves_ok(&s, m, n, "one pixel") && clear &&
	    cv,
	    "scroll by -16 with pixel 500,350 changed too: %zu moves, none "
	    "over it, cover %llu of %llu", n, (unsigned long long)got,
	    (unsigned long long)want);

	/*
	 * Near the top instead: the small move above the pixel reads rows
	 * that the large one below writes, so it must come first, though
	 * the larger is chosen first.
	 */
	s.cur[350 * s.stride + 500 * 4] ^= 1;
	s.cur[40 * s.stride + 500 * 4] ^= 1;
	px.y = 40;
	n = detect(&s, m, SCROLL_MAX_MOVES);
	clear = 1;
	for (i = 0; i < n; i++)
		if (rect_meet(&m[i].dst, &px))
			clear = 0;
	cv = covers(&s, m, n, &r, -16, 90, &got, &want);
	ok(moves_ok(&s, m, n, "order") && clear && n >= 2 && cv,
	    "pixel 500,40 changed: %zu moves, none over it, right when "
	    "applied in the order given, cover %llu of %llu", n,
	    (unsigned long long)got, (unsigned long long)want);
	s.cur[40 * s.stride + 500 * 4] ^= 1;
	s.cur[350 * s.stride + 500 * 4] ^= 1;
	px.y = 350;

	/* Only the X byte of that pixel: not a change. */
	s.cur[350 * s.stride + 500 * 4] ^= 1;
	s.cur[350 * s.stride + 500 * 4 + 3] ^= 0x5a;
	n = detect(&s, m, SCROLL_MAX_MOVES);
	ok(moves_ok(&s, m, n, "X byte") && covered(m, n, &px, -16) == 1,
	    "the same with only its X byte changed: a move covers it (%zu "
	    "moves)", n);

	/* Junk in every X byte of both frames. */
	xjunk = 1;
	draw(s.prev, &s, &doc, 0, 0, 1000, 700, BASE);
	draw(s.cur, &s, &doc, 0, 0, 1000, 700, BASE + 16);
	xjunk = 0;
	n = detect(&s, m, SCROLL_MAX_MOVES);
	cv = covers(&s, m, n, &r, -16, 90, &got, &want);
	ok(moves_ok(&s, m, n, "X junk") &&
	    cv,
	    "random X bytes everywhere, scroll by -16: %zu moves, cover %llu "
	    "of %llu", n, (unsigned long long)got, (unsigned long long)want);
	screen_free(&s);
}

/* Moves that reach row 0, the last row, and both sides. */
static void
test_edges(void)
{
	struct doc doc = { DOC_FULL, 71, 1000 / CELL, 0x202020 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct screen s;
	size_t n, i;
	int top, bottom, left, right;

	screen_new(&s, 1000, 700, 0);
	draw(s.prev, &s, &doc, 0, 0, 1000, 700, BASE);
	draw(s.cur, &s, &doc, 0, 0, 1000, 700, BASE + 16);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	top = left = right = 0;
	for (i = 0; i < n; i++) {
		top |= m[i].dst.y == 0;
		left |= m[i].dst.x == 0;
		right |= m[i].dst.x + m[i].dst.w == 1000;
	}
	ok(moves_ok(&s, m, n, "top") && top && left && right,
	    "scroll by -16: a move starts at row 0, one at column 0, one ends "
	    "at column 999 (%zu moves)", n);

	draw(s.cur, &s, &doc, 0, 0, 1000, 700, BASE - 16);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	bottom = 0;
	for (i = 0; i < n; i++)
		bottom |= m[i].dst.y + m[i].dst.h == 700 && m[i].dy == 16;
	ok(moves_ok(&s, m, n, "bottom") && bottom,
	    "scroll by +16: a move ends at the last row (%zu moves)", n);
	screen_free(&s);
}

/* Screens one pixel wide or high, and sizes that are no tile multiple. */
static void
test_thin(void)
{
	struct doc rows = { DOC_ROWS, 81, 1, 0 };
	struct doc doc = { DOC_TEXT, 82, 130 / CELL, 0x202020 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct screen s;
	struct rect r;
	uint64_t got, want;
	int cv;
	size_t n;

	screen_new(&s, 1, 3000, 0);
	draw(s.prev, &s, &rows, 0, 0, 1, 3000, BASE);
	draw(s.cur, &s, &rows, 0, 0, 1, 3000, BASE + 37);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	r = moved_rect(0, 0, 1, 3000, -37);
	cv = covers(&s, m, n, &r, -37, 100, &got, &want);
	ok(moves_ok(&s, m, n, "1x3000") &&
	    cv,
	    "1x3000 screen, scroll by -37: %zu moves cover %llu of %llu", n,
	    (unsigned long long)got, (unsigned long long)want);
	screen_free(&s);

	/* 963 pixels moved: below SCROLL_MIN_AREA, not worth a CopyRect. */
	screen_new(&s, 1, 1000, 0);
	draw(s.prev, &s, &rows, 0, 0, 1, 1000, BASE);
	draw(s.cur, &s, &rows, 0, 0, 1, 1000, BASE + 37);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	ok(n == 0, "1x1000 screen, scroll by -37: no move (%zu), 963 pixels "
	    "are not worth one", n);
	screen_free(&s);

	screen_new(&s, 3000, 1, 0);
	draw(s.prev, &s, &rows, 0, 0, 3000, 1, BASE);
	draw(s.cur, &s, &rows, 0, 0, 3000, 1, BASE + 1);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	ok(n == 0, "3000x1 screen: no move (%zu)", n);
	screen_free(&s);

	screen_new(&s, 130, 97, 20);
	draw(s.prev, &s, &doc, 0, 0, 130, 97, BASE);
	draw(s.cur, &s, &doc, 0, 0, 130, 97, BASE + 9);
	n = detect(&s, m, SCROLL_MAX_MOVES);
	r = moved_rect(0, 0, 130, 97, -9);
	cv = covers(&s, m, n, &r, -9, 90, &got, &want);
	ok(moves_ok(&s, m, n, "130x97") &&
	    cv,
	    "130x97 screen (tiles of 2 and 33 pixels), padded rows, scroll by "
	    "-9: %zu moves cover %llu of %llu", n, (unsigned long long)got,
	    (unsigned long long)want);
	screen_free(&s);
}

/*
 * Rows alike but for one pixel in each tile column, at every place in it:
 * the row hashes must tell them apart (a fold that dropped part of a hash
 * once made all of them one row, and nothing got a vote), with either
 * hash.
 */
static void
test_marks(void)
{
	struct doc doc = { DOC_MARK, 121, 0, 0x404040 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct screen s;
	struct rect r;
	uint64_t got, want;
	uint32_t pos;
	size_t n;
	int crc = scratch.crc, portable, good, cv;

	screen_new(&s, 640, 400, 0);
	r = moved_rect(0, 0, 640, 400, -7);
	for (portable = 0; portable < 2; portable++) {
		if (portable)
			scratch.crc = 0;
		good = 1;
		for (pos = 0; pos < T; pos++) {
			doc.cols = pos;
			draw(s.prev, &s, &doc, 0, 0, 640, 400, BASE);
			draw(s.cur, &s, &doc, 0, 0, 640, 400, BASE + 7);
			n = detect(&s, m, SCROLL_MAX_MOVES);
			cv = covers(&s, m, n, &r, -7, 100, &got, &want);
			if (!moves_ok(&s, m, n, "marks") || !cv) {
				diag("marked pixel %u: %zu moves, cover %llu "
				    "of %llu", pos, n, (unsigned long long)got,
				    (unsigned long long)want);
				good = 0;
			}
		}
		ok(good, "rows that differ in one pixel of each tile column, "
		    "at each of its 64 places, scroll by -7: all found%s",
		    portable ? " (portable hash)" : "");
	}
	scratch.crc = crc;
	screen_free(&s);
}

/* Moves only where the damage says; max limits them. */
static void
test_damage_and_max(void)
{
	struct doc doc = { DOC_FULL, 91, 1000 / CELL, 0x202020 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct rect part = { 3 * T, 2 * T, 7 * T, 4 * T };
	struct screen s;
	uint64_t got, want;
	int cv;
	size_t n;

	screen_new(&s, 1000, 700, 0);
	draw(s.prev, &s, &doc, 0, 0, 1000, 700, BASE);
	draw(s.cur, &s, &doc, 0, 0, 1000, 700, BASE + 16);
	damage_clear(&s.d);
	damage_add_rect(&s.d, &part);
	n = scroll_detect(s.prev, s.cur, s.stride, s.w, s.h, &s.d, m,
	    SCROLL_MAX_MOVES, &scratch);
	cv = covers(&s, m, n, &part, -16, 100, &got, &want);
	ok(moves_ok(&s, m, n, "part damaged") &&
	    cv,
	    "damage of 7x4 tiles only: %zu moves inside it, cover %llu of %llu",
	    n, (unsigned long long)got, (unsigned long long)want);

	n = scroll_detect(s.prev, s.cur, s.stride, s.w, s.h, &s.d, m, 0,
	    &scratch);
	ok(n == 0, "max 0: no move (%zu)", n);
	screen_free(&s);

	{
		struct doc a = { DOC_TEXT, 92, 400 / CELL, 0 };
		struct doc b = { DOC_TEXT, 93, 200 / CELL, 0 };

		screen_new(&s, 1280, 800, 0);
		fill(s.prev, &s, 0x336699);
		fill(s.cur, &s, 0x336699);
		draw(s.prev, &s, &a, 0, 0, 400, 700, BASE);
		draw(s.cur, &s, &a, 0, 0, 400, 700, BASE + 16);
		draw(s.prev, &s, &b, 700, 0, 200, 300, BASE);
		draw(s.cur, &s, &b, 700, 0, 200, 300, BASE + 32);
		n = detect(&s, m, 1);
		ok(n == 1 && moves_ok(&s, m, n, "max 1") && m[0].dy == -16 &&
		    m[0].dst.x < 400,
		    "two windows scroll, max 1: the larger one's move only "
		    "(%zu, dy %d)", n, n ? m[0].dy : 0);
		screen_free(&s);
	}
}

/* The scratch follows a change of geometry, and frees. */
static void
test_scratch(void)
{
	struct doc doc = { DOC_TEXT, 101, 0, 0x202020 };
	struct scroll_move m[SCROLL_MAX_MOVES];
	struct scroll_scratch own;
	struct screen s;
	static const uint32_t sizes[][2] = {
		{ 200, 150 }, { 1920, 1080 }, { 640, 480 }, { 2000, 300 },
	};
	size_t i, n;
	int good = 1;

	scroll_scratch_init(&own);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		screen_new(&s, sizes[i][0], sizes[i][1], 0);
		doc.cols = sizes[i][0] / CELL;
		draw(s.prev, &s, &doc, 0, 0, s.w, s.h, BASE);
		draw(s.cur, &s, &doc, 0, 0, s.w, s.h, BASE + 20);
		damage_compare(&s.d, s.prev, s.cur, s.stride, 4);
		n = scroll_detect(s.prev, s.cur, s.stride, s.w, s.h, &s.d, m,
		    SCROLL_MAX_MOVES, &own);
		if (n == 0 || !moves_ok(&s, m, n, "scratch"))
			good = 0;
		screen_free(&s);
	}
	scroll_scratch_free(&own);
	scroll_scratch_free(&own);
	ok(good, "one scratch over 200x150, 1920x1080, 640x480, 2000x300: "
	    "moves found and exact each time; freed twice");
}

int
main(void)
{
	scroll_scratch_init(&scratch);
	if (!scratch.crc)
		diag("no SSE4.2 here: both runs take the portable hash");
	test_full_screen(1000, 700, 0, 0, DOC_TEXT, 90);
	test_full_screen(1000, 700, 96, 0, DOC_TEXT, 90);
	test_full_screen(1000, 700, 0, 1, DOC_TEXT, 90);
	test_full_screen(1920, 1080, 0, 0, DOC_FULL, 99);
	test_full_screen(1920, 1080, 0, 0, DOC_TEXT, 85);
	test_window();
	test_sticky(0, -24);
	test_sticky(0, 24);
	test_sticky(1, -24);
	test_sticky(1, 24);
	test_sidebar();
	test_two(0);
	test_two(1);
	test_no_scroll();
	test_exact();
	test_edges();
	test_thin();
	test_marks();
	test_damage_and_max();
	test_scratch();
	scroll_scratch_free(&scratch);
	return done_testing();
}
