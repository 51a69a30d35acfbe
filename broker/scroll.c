/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scroll detection: vertical moves of the frame before inside a frame's
 * damage, for CopyRect.
 *
 * Regions.  The damaged tiles are grouped into 4-connected groups, and
 * each group is looked at over its bounding box (groups whose boxes
 * overlap are one region): a terminal's window, a page's body.
 *
 * Row hashes.  Each row of a region is hashed in both frames, one hash a
 * tile column (64 pixels of the low 3 bytes, the X byte masked off): CRC32C
 * with SSE4.2's crc32 in four chains, folded by a multiply-mix, where the
 * CPU has it, else the multiply-mix alone; a row's hash over a range of
 * tile columns mixes those.
 * The hashes only propose: every move is compared pixel for pixel before
 * it is returned, so a collision costs a compare, never a wrong move.
 *
 * Votes.  prev's rows go into a hash table; each row of cur that changed
 * and whose hash is one row's in prev (blank rows, the same in many
 * places, say nothing) votes for the dy that brings that row there.  The
 * dys with the most votes (at least VOTES_MIN) are tried in turn: each row
 * of cur is compared with prev's row dy above (masking X; a row that
 * differs stops at its first 64 pixels that do), the runs of equal rows
 * not already in a run of a dy tried before are the moves, and each is
 * clipped to the largest rectangles of damaged tiles it covers.  The
 * compare is the only full read of the region: hashing every row first
 * would read it once more and still need the compare.
 *
 * Nothing scrolls most of the time (a video, a clock), so the votes of a
 * tall region are taken on a sample of its rows: every 5th row of cur and
 * the rows 0 to 4 of every 25 of prev.  For every dy exactly one pair of
 * sampled rows in each 25 is dy apart, so a scroll still gets a vote every
 * 25 rows, and a region where nothing moved costs a read of a fifth of its
 * rows in each frame.  The period is odd on purpose: with 16 (every 4th
 * row of cur, 4 of 16 of prev) a scroll by whole lines of a 16-pixel font
 * pairs the same row of every glyph, the blank one at the top, and gets
 * no vote at all.
 *
 * Columns.  A row over the whole region matches only if everything in
 * it moved together.  A sidebar that stays (a sticky table of contents), or
 * two terminals side by side whose damage touches, break that; when the
 * moves found over the whole width leave most changed rows unexplained,
 * each tile column votes on its own (on the rows already hashed).  From
 * the column with the most votes for a dy, the rows that moved by dy are
 * found, and the move grows a column at a time, to the left or the right,
 * over columns that voted for the same dy or had no say (a blank margin),
 * as long as its area (width times the rows still moved in every column)
 * grows: a terminal's scrollbar whose thumb moved stays out.  Columns of
 * the same dy that did not join try again on their own.
 *
 * Edges.  A window's edge is rarely on a tile's: the tile column at each
 * side holds the window and what is around it (a wallpaper's gradient),
 * and its rows do not move.  A move whose side touches a damaged tile
 * outside its columns is widened into it pixel by pixel, as far as every
 * row still moved (a binary search: if a strip moved, so did any narrower
 * one).
 *
 * Worth it.  A move must be SCROLL_MIN_HEIGHT rows and SCROLL_MIN_AREA
 * pixels at least.  A CopyRect costs 16 bytes on the wire and cuts the
 * rest of the damage into up to two more rectangles (a header and an
 * encoder's set-up each, a few tens of bytes); 2048 pixels of text cost
 * hundreds of bytes in ZRLE or Tight and 8 KiB raw, so a move of that size
 * pays for itself several times.  Below 8 rows (less than a line of the
 * smallest console font) a match is more likely chance than a scroll and
 * the strips around it cost more rectangles than it saves.
 *
 * Several candidates may claim the same pixels (runs of two dys over
 * blank rows, a whole-width and a column run): the largest are taken
 * first, the others cut to the rows left free.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "broker/scroll.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SCROLL_X86	1
#include <immintrin.h>
#define X86_TARGET	__attribute__((target("sse4.2")))
#endif

#define T		DAMAGE_TILE
/* Bytes B, G, R, X in memory: the masks of one and two pixels, X off. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PIX_MASK2	0xffffff00ffffff00ull
#define PIX_MASK	0xffffff00u
#else
#define PIX_MASK2	0x00ffffff00ffffffull
#define PIX_MASK	0x00ffffffu
#endif
#define CRC_SEED	0xffffffffu
#define MIX_K		0x9e3779b97f4a7c15ull
#define MIX_SEED	0x243f6a8885a308d3ull

#define VOTES_MIN	2	/* rows that agree on a dy before it is tried */
#define SPARSE_ROWS	256	/* regions this tall vote on a sample */
#define SAMPLE		5	/* odd: see above */
#define CAND_DYS	3	/* dys tried per region (or column group) */
#define REGIONS_MAX	32	/* the largest groups of damaged tiles */
#define POOL_MAX	64	/* candidate moves before the choice */
#define PIECES_MAX	SCROLL_MAX_MOVES /* rectangles a band is cut into */
#define NO_DY		INT32_MIN

struct scroll_slot {
	uint32_t	key;
	uint32_t	row;
	uint32_t	count;		/* 0: empty */
};

struct region {
	uint32_t	tx0, ty0, tx1, ty1;	/* tiles, the ends excluded */
	uint32_t	x0, y0, x1, y1;		/* pixels, the ends excluded */
	size_t		tiles;			/* damaged tiles in it */
};

struct ctx {
	const uint8_t	*prev, *cur;
	size_t		 stride;
	uint32_t	 width, height;
	const struct damage *d;
	struct scroll_scratch *s;
	struct scroll_move pool[POOL_MAX];
	size_t		 npool;
};

struct rstate {
	const struct region *g;
	uint32_t	n, nc;		/* rows, tile columns */
};

void
scroll_scratch_init(struct scroll_scratch *s)
{
	memset(s, 0, sizeof(*s));
#ifdef SCROLL_X86
	s->crc = __builtin_cpu_supports("sse4.2");
#endif
}

static void
scratch_release(struct scroll_scratch *s)
{
	free(s->segc);
	free(s->segp);
	free(s->rowc);
	free(s->rowp);
	free(s->donec);
	free(s->donep);
	free(s->table);
	free(s->votes);
	free(s->voted);
	free(s->label);
	free(s->stack);
	free(s->cells);
	free(s->hist);
	free(s->hstack);
	free(s->colbest);
	free(s->match);
	free(s->taken);
	free(s->trial_l);
	free(s->trial_r);
	free(s->colvotes);
	free(s->colm);
	free(s->coltried);
}

void
scroll_scratch_free(struct scroll_scratch *s)
{
	int crc = s->crc;

	scratch_release(s);
	memset(s, 0, sizeof(*s));
	s->crc = crc;
}

/* Arrays for a screen of width x height (or the larger one seen). */
static int
scratch_fit(struct scroll_scratch *s, uint32_t width, uint32_t height)
{
	size_t cols, tiles, segs, tsize;
	int crc = s->crc;

	if (s->segc != NULL && width <= s->width && height <= s->height)
		return 0;
	if (width < s->width)
		width = s->width;
	if (height < s->height)
		height = s->height;
	scratch_release(s);
	memset(s, 0, sizeof(*s));
	s->crc = crc;
	cols = tiles_cols(width);
	tiles = cols * tiles_rows(height);
	segs = cols * height;
	for (tsize = 16; tsize < 2 * (size_t)height; tsize <<= 1)
		;
	s->segc = calloc(segs, sizeof(*s->segc));
	s->segp = calloc(segs, sizeof(*s->segp));
	s->rowc = calloc(height, sizeof(*s->rowc));
	s->rowp = calloc(height, sizeof(*s->rowp));
	s->donec = calloc(height, 1);
	s->donep = calloc(height, 1);
	s->table = calloc(tsize, sizeof(*s->table));
	s->votes = calloc(2 * (size_t)height + 1, sizeof(*s->votes));
	s->voted = calloc(height, sizeof(*s->voted));
	s->label = calloc(tiles, sizeof(*s->label));
	s->stack = calloc(tiles, sizeof(*s->stack));
	s->cells = calloc(tiles, 1);
	s->hist = calloc(cols + 1, sizeof(*s->hist));
	s->hstack = calloc(cols + 1, sizeof(*s->hstack));
	s->colbest = calloc(cols, sizeof(*s->colbest));
	s->match = calloc(height, 1);
	s->taken = calloc(height, 1);
	s->trial_l = calloc(height, 1);
	s->trial_r = calloc(height, 1);
	s->colvotes = calloc(cols, sizeof(*s->colvotes));
	s->colm = calloc(segs, 1);
	s->coltried = calloc(cols, 1);
	if (s->segc == NULL || s->segp == NULL || s->rowc == NULL ||
	    s->rowp == NULL || s->donec == NULL || s->donep == NULL ||
	    s->table == NULL || s->votes == NULL || s->voted == NULL ||
	    s->label == NULL || s->stack == NULL || s->cells == NULL ||
	    s->hist == NULL || s->hstack == NULL || s->colbest == NULL ||
	    s->match == NULL || s->taken == NULL || s->trial_l == NULL ||
	    s->trial_r == NULL || s->colvotes == NULL || s->colm == NULL ||
	    s->coltried == NULL) {
		scroll_scratch_free(s);
		return -1;
	}
	s->table_size = tsize;
	s->width = width;
	s->height = height;
	return 0;
}

/* One step of a chain: a bijection of h for each w, and of w for each h. */
static inline uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MIX_K;
	return h ^ (h >> 32);
}

/*
 * 64 bits of a chain to 32 of hash, each depending on all of them (the
 * high half of a product depends on every bit below it).  Not h ^ h >> 32
 * after mix(): that is the product's low half, blind to w's high half.
 */
static inline uint32_t
fold(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	return (uint32_t)(h >> 32);
}

#ifdef SCROLL_X86
/* One row of a region: nc hashes of 64 pixels (the last one lastw). */
static X86_TARGET void
hash_row_crc(const uint8_t *p, uint32_t nc, uint32_t lastw, uint32_t *out)
{
	uint64_t c0, c1, c2, c3, w0, w1, w2, w3;
	uint32_t j, i, n, v;

	for (j = 0; j < nc; j++) {
		n = j + 1 < nc ? T : lastw;
		c0 = c1 = c2 = c3 = CRC_SEED;
		/* Four chains, so that no crc32 waits for the one before. */
		for (i = 0; i + 8 <= n; i += 8, p += 32) {
			memcpy(&w0, p, 8);
			memcpy(&w1, p + 8, 8);
			memcpy(&w2, p + 16, 8);
			memcpy(&w3, p + 24, 8);
			c0 = _mm_crc32_u64(c0, w0 & PIX_MASK2);
			c1 = _mm_crc32_u64(c1, w1 & PIX_MASK2);
			c2 = _mm_crc32_u64(c2, w2 & PIX_MASK2);
			c3 = _mm_crc32_u64(c3, w3 & PIX_MASK2);
		}
		for (; i + 2 <= n; i += 2, p += 8) {
			memcpy(&w0, p, 8);
			c0 = _mm_crc32_u64(c0, w0 & PIX_MASK2);
		}
		if (i < n) {
			memcpy(&v, p, 4);
			c1 = _mm_crc32_u32((uint32_t)c1, v & PIX_MASK);
			p += 4;
		}
		/*
		 * CRC is linear over GF(2): folding the chains with crc32
		 * again would keep the whole hash one linear map, so that a
		 * difference in its kernel (screens are full of structured
		 * ones) always collides.  The multiply-mix is not linear: a
		 * collision needs every chain's CRC to collide.
		 */
		out[j] = fold(mix(mix(MIX_SEED, c0 | c1 << 32), c2 | c3 << 32));
	}
}
#endif

static void
hash_row_mix(const uint8_t *p, uint32_t nc, uint32_t lastw, uint32_t *out)
{
	uint64_t h0, h1, w0, w1;
	uint32_t j, i, n, v;

	for (j = 0; j < nc; j++) {
		n = j + 1 < nc ? T : lastw;
		h0 = MIX_SEED;
		h1 = ~MIX_SEED;
		for (i = 0; i + 4 <= n; i += 4, p += 16) {
			memcpy(&w0, p, 8);
			memcpy(&w1, p + 8, 8);
			h0 = mix(h0, w0 & PIX_MASK2);
			h1 = mix(h1, w1 & PIX_MASK2);
		}
		for (; i + 2 <= n; i += 2, p += 8) {
			memcpy(&w0, p, 8);
			h0 = mix(h0, w0 & PIX_MASK2);
		}
		if (i < n) {
			memcpy(&v, p, 4);
			h1 = mix(h1, v & PIX_MASK);
			p += 4;
		}
		out[j] = fold(mix(h0, h1));
	}
}

/* Two registers of 16 bytes: SSE2 on x86-64, NEON on ARM, by the compiler. */
typedef uint64_t v2u64 __attribute__((vector_size(16)));

static inline v2u64
load16(const uint8_t *p)
{
	v2u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* n pixels at a and b are equal but for their X bytes. */
static int
rows_equal(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	v2u64 acc0, acc1;
	uint64_t x, y;
	uint32_t i = 0, end, u, v;

	/* 64 pixels at a time, so that a row that differs stops early. */
	while (i + 8 <= n) {
		end = n - i > 64 ? i + 64 : n;
		acc0 = acc1 = (v2u64){ 0, 0 };
		for (; i + 8 <= end; i += 8) {
			acc0 |= load16(a + (size_t)i * 4) ^
			    load16(b + (size_t)i * 4);
			acc1 |= load16(a + (size_t)i * 4 + 16) ^
			    load16(b + (size_t)i * 4 + 16);
		}
		acc0 |= acc1;
		if (((acc0[0] | acc0[1]) & PIX_MASK2) != 0)
			return 0;
	}
	for (; i + 2 <= n; i += 2) {
		memcpy(&x, a + (size_t)i * 4, 8);
		memcpy(&y, b + (size_t)i * 4, 8);
		if (((x ^ y) & PIX_MASK2) != 0)
			return 0;
	}
	if (i < n) {
		memcpy(&u, a + (size_t)i * 4, 4);
		memcpy(&v, b + (size_t)i * 4, 4);
		if (((u ^ v) & PIX_MASK) != 0)
			return 0;
	}
	return 1;
}

/* Hash rows of one frame of a region: all, or the sample of that frame. */
static void
hash_rows(struct ctx *c, struct rstate *rs, int prev, int all)
{
	struct scroll_scratch *s = c->s;
	const struct region *g = rs->g;
	const uint8_t *f = prev ? c->prev : c->cur, *row;
	uint32_t *seg = prev ? s->segp : s->segc;
	uint8_t *done = prev ? s->donep : s->donec;
	uint32_t r, y, lastw = g->x1 - (g->x0 + (rs->nc - 1) * T);

	for (r = 0; r < rs->n; r++) {
		y = g->y0 + r;
		if (done[r])
			continue;
		if (!all && (prev ? y % (SAMPLE * SAMPLE) >= SAMPLE :
		    y % SAMPLE != 0))
			continue;
		row = f + (size_t)y * c->stride + (size_t)g->x0 * 4;
#ifdef SCROLL_X86
		if (s->crc)
			hash_row_crc(row, rs->nc, lastw, seg + (size_t)r * rs->nc);
		else
#endif
			hash_row_mix(row, rs->nc, lastw, seg + (size_t)r * rs->nc);
		done[r] = 1;
	}
}

/* Row hashes over tile columns a .. b-1 of the region, for rows hashed. */
static void
combine_rows(struct ctx *c, const struct rstate *rs, uint32_t a, uint32_t b)
{
	struct scroll_scratch *s = c->s;
	const uint32_t *sc, *sp;
	uint32_t r, j;
	uint64_t hc, hp;

	for (r = 0; r < rs->n; r++) {
		sc = s->segc + (size_t)r * rs->nc;
		sp = s->segp + (size_t)r * rs->nc;
		if (b - a == 1) {
			s->rowc[r] = sc[a];
			s->rowp[r] = sp[a];
			continue;
		}
		hc = hp = MIX_SEED;
		for (j = a; j < b; j++) {
			if (s->donec[r])
				hc = mix(hc, sc[j]);
			if (s->donep[r])
				hp = mix(hp, sp[j]);
		}
		s->rowc[r] = fold(hc);
		s->rowp[r] = fold(hp);
	}
}

static inline size_t
slot_of(uint32_t h, unsigned int shift)
{
	return (size_t)((h * 0x9e3779b1u) >> shift);
}

/*
 * The dys that rows of cur vote for: hc and hp are the hashes of the n
 * rows, step apart; donec and donep say which rows are hashed.  Writes at
 * most max dys, most votes first, and returns how many; the first one's
 * votes go to *top when top is not NULL.
 */
static size_t
vote(struct scroll_scratch *s, const uint32_t *hc, const uint32_t *hp,
    size_t step, uint32_t n, int32_t *best, size_t max, uint32_t *top)
{
	struct scroll_slot *t = s->table;
	const uint8_t *dc = s->donec, *dp = s->donep;
	size_t size, mask, i, nv = 0, nb = 0, k, pick;
	unsigned int shift = 32;
	uint32_t r, h, np = 0;
	int32_t dy;

	for (r = 0; r < n; r++)
		np += dp[r];
	if (np == 0)
		return 0;
	for (size = 1; size < 2 * (size_t)np || size < 16; size <<= 1)
		shift--;
	mask = size - 1;
	memset(t, 0, size * sizeof(*t));
	for (r = 0; r < n; r++) {
		if (!dp[r])
			continue;
		h = hp[r * step];
		for (i = slot_of(h, shift); t[i].count != 0 && t[i].key != h;
		    i = (i + 1) & mask)
			;
		if (t[i].count == 0) {
			t[i].key = h;
			t[i].row = r;
		}
		if (t[i].count < UINT32_MAX)
			t[i].count++;
	}
	for (r = 0; r < n; r++) {
		if (!dc[r])
			continue;
		h = hc[r * step];
		/* A row that did not change says nothing of a move. */
		if (dp[r] && hp[r * step] == h)
			continue;
		for (i = slot_of(h, shift); t[i].count != 0 && t[i].key != h;
		    i = (i + 1) & mask)
			;
		if (t[i].count != 1)
			continue;
		dy = (int32_t)r - (int32_t)t[i].row;
		if (s->votes[dy + n]++ == 0)
			s->voted[nv++] = dy;
	}
	while (nb < max) {
		pick = nv;
		for (k = 0; k < nv; k++) {
			dy = s->voted[k];
			if (s->votes[dy + n] < VOTES_MIN)
				continue;
			if (pick == nv || s->votes[dy + n] >
			    s->votes[s->voted[pick] + n] ||
			    (s->votes[dy + n] == s->votes[s->voted[pick] + n] &&
			    abs(dy) < abs(s->voted[pick])))
				pick = k;
		}
		if (pick == nv)
			break;
		if (nb == 0 && top != NULL)
			*top = s->votes[s->voted[pick] + n];
		best[nb++] = s->voted[pick];
		s->votes[s->voted[pick] + n] = 0;
	}
	for (k = 0; k < nv; k++)
		s->votes[s->voted[k] + n] = 0;
	return nb;
}

static inline int
meet(const struct rect *a, const struct rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	    a->y < b->y + b->h && b->y < a->y + a->h;
}

static inline struct rect
src_of(const struct scroll_move *m)
{
	struct rect r = m->dst;

	r.y = (uint32_t)((int64_t)r.y - m->dy);
	return r;
}

static inline uint64_t
area_of(const struct rect *r)
{
	return (uint64_t)r->w * r->h;
}

static inline int
worth(const struct rect *r)
{
	return r->h >= SCROLL_MIN_HEIGHT && area_of(r) >= SCROLL_MIN_AREA;
}

static void
pool_add(struct ctx *c, const struct rect *r, int32_t dy)
{
	size_t i, small = 0;

	if (!worth(r))
		return;
	if (c->npool < POOL_MAX) {
		c->pool[c->npool].dst = *r;
		c->pool[c->npool++].dy = dy;
		return;
	}
	for (i = 1; i < c->npool; i++)
		if (area_of(&c->pool[i].dst) < area_of(&c->pool[small].dst))
			small = i;
	if (area_of(&c->pool[small].dst) < area_of(r)) {
		c->pool[small].dst = *r;
		c->pool[small].dy = dy;
	}
}

/* Left edge of tile column tx, in pixels, clipped to the screen. */
static inline uint32_t
col_x(const struct ctx *c, uint32_t tx)
{
	uint64_t x = (uint64_t)tx * T;

	return x < c->width ? (uint32_t)x : c->width;
}

/*
 * The largest rectangle inside rows ya .. yb-1, tile columns ta .. tb-1,
 * made of tiles still set in cells (nr tile rows from ya / T, nk columns):
 * the largest rectangle under a histogram, for each tile row as the
 * bottom, with bars in pixels.
 */
static int
largest_rect(struct ctx *c, uint32_t ta, uint32_t nk, uint32_t ya,
    uint32_t yb, uint32_t nr, struct rect *best)
{
	struct scroll_scratch *s = c->s;
	uint32_t *hist = s->hist, *st = s->hstack;
	uint32_t r, k, sp, top, left, h, x0, x1, ty0 = ya / T, bottom, rh;
	uint64_t a, besta = 0;

	memset(hist, 0, nk * sizeof(*hist));
	for (r = 0; r < nr; r++) {
		bottom = (ty0 + r + 1) * T < yb ? (ty0 + r + 1) * T : yb;
		rh = bottom - ((ty0 + r) * T > ya ? (ty0 + r) * T : ya);
		for (k = 0; k < nk; k++)
			hist[k] = s->cells[(size_t)r * nk + k] ? hist[k] + rh : 0;
		for (k = 0, sp = 0; k <= nk; k++) {
			h = k < nk ? hist[k] : 0;
			while (sp > 0 && hist[st[sp - 1]] >= h) {
				top = st[--sp];
				left = sp > 0 ? st[sp - 1] + 1 : 0;
				x0 = col_x(c, ta + left);
				x1 = col_x(c, ta + k);
				a = (uint64_t)hist[top] * (x1 - x0);
				if (a > besta) {
					besta = a;
					best->x = x0;
					best->w = x1 - x0;
					best->y = bottom - hist[top];
					best->h = hist[top];
				}
			}
			st[sp++] = k;
		}
	}
	return besta > 0;
}

/* Tile column tx is damaged on every tile row of rows y .. y+h-1. */
static int
column_damaged(const struct ctx *c, uint32_t tx, uint32_t y, uint32_t h)
{
	const struct damage *d = c->d;
	uint32_t ty;

	for (ty = y / T; ty <= (y + h - 1) / T; ty++)
		if (!d->tiles[(size_t)ty * d->cols + tx])
			return 0;
	return 1;
}

/* Pixels x .. x+w-1 of rows y .. y+h-1 moved by dy. */
static int
strip_moved(const struct ctx *c, uint32_t x, uint32_t w, uint32_t y,
    uint32_t h, int32_t dy)
{
	size_t off = (size_t)x * 4;
	uint32_t r;

	for (r = y; r < y + h; r++)
		if (!rows_equal(c->cur + (size_t)r * c->stride + off,
		    c->prev + (size_t)((int64_t)r - dy) * c->stride + off, w))
			return 0;
	return 1;
}

/* The widest strip of 0 .. max pixels that moved, left of x (left) or
 * from x on. */
static uint32_t
widest(const struct ctx *c, uint32_t x, uint32_t max, int left,
    const struct rect *r, int32_t dy)
{
	uint32_t lo = 0, hi = max, mid;

	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		if (strip_moved(c, left ? x - mid : x, mid, r->y, r->h, dy))
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Widen r into the damaged tile on each side of tile columns ta .. tb-1
 * (when r reaches that side). */
static void
widen(const struct ctx *c, struct rect *r, uint32_t ta, uint32_t tb,
    int32_t dy)
{
	uint32_t k, x1;

	if (ta > 0 && r->x == col_x(c, ta) &&
	    column_damaged(c, ta - 1, r->y, r->h)) {
		k = widest(c, r->x, T, 1, r, dy);
		r->x -= k;
		r->w += k;
	}
	x1 = r->x + r->w;
	if (x1 < c->width && x1 == col_x(c, tb) &&
	    column_damaged(c, tb, r->y, r->h)) {
		k = widest(c, x1, col_x(c, tb + 1) - x1, 0, r, dy);
		r->w += k;
	}
}

/*
 * A verified band (rows ya .. yb-1 over tile columns ta .. tb-1) into
 * candidates: the largest rectangles of damaged tiles in it.
 */
static void
add_band(struct ctx *c, uint32_t ta, uint32_t tb, uint32_t ya, uint32_t yb,
    int32_t dy)
{
	const struct damage *d = c->d;
	uint32_t ty0 = ya / T, nr = (yb - 1) / T + 1 - ty0, nk = tb - ta;
	uint32_t r, k, all = 1, piece;
	struct rect rect;
	uint8_t *cell;

	for (r = 0; r < nr; r++) {
		for (k = 0; k < nk; k++) {
			cell = &c->s->cells[(size_t)r * nk + k];
			*cell = d->tiles[(size_t)(ty0 + r) * d->cols + ta + k] != 0;
			all &= *cell;
		}
	}
	if (all) {
		rect.x = col_x(c, ta);
		rect.w = col_x(c, tb) - rect.x;
		rect.y = ya;
		rect.h = yb - ya;
		widen(c, &rect, ta, tb, dy);
		pool_add(c, &rect, dy);
		return;
	}
	for (piece = 0; piece < PIECES_MAX; piece++) {
		if (!largest_rect(c, ta, nk, ya, yb, nr, &rect) ||
		    !worth(&rect))
			break;
		/* Its tiles are taken: the next piece is elsewhere. */
		for (r = 0; r < nr; r++) {
			if ((ty0 + r + 1) * T <= rect.y ||
			    (ty0 + r) * T >= rect.y + rect.h)
				continue;
			for (k = 0; k < nk; k++) {
				if (col_x(c, ta + k) >= rect.x &&
				    col_x(c, ta + k) < rect.x + rect.w)
					c->s->cells[(size_t)r * nk + k] = 0;
			}
		}
		widen(c, &rect, ta, tb, dy);
		pool_add(c, &rect, dy);
	}
}

/* Row r of the region in cur equals row r - dy in prev over tile columns
 * a .. b-1. */
static int
row_moved(const struct ctx *c, const struct rstate *rs, uint32_t a, uint32_t b,
    uint32_t r, int32_t dy)
{
	const struct region *g = rs->g;
	uint32_t xa = g->x0 + a * T, xb = col_x(c, g->tx0 + b), y = g->y0 + r;
	size_t off = (size_t)xa * 4;

	return rows_equal(c->cur + (size_t)y * c->stride + off,
	    c->prev + (size_t)((int64_t)y - dy) * c->stride + off, xb - xa);
}

/*
 * The rows r of the region with a source r - dy on the screen: [*lo, *hi).
 * The source may lie outside the region: there prev is cur, undamaged.
 */
static void
moved_range(const struct ctx *c, const struct rstate *rs, int32_t dy,
    uint32_t *lo, uint32_t *hi)
{
	int64_t l = (int64_t)dy - rs->g->y0;
	int64_t h = (int64_t)c->height - rs->g->y0 + dy;

	*lo = l > 0 ? (l < rs->n ? (uint32_t)l : rs->n) : 0;
	*hi = h < rs->n ? (h > *lo ? (uint32_t)h : *lo) : rs->n;
}

/* match[r]: row r moved by dy over tile columns a .. b-1, and is not taken
 * (taken NULL: none is). */
static void
match_rows(struct ctx *c, const struct rstate *rs, uint32_t a, uint32_t b,
    int32_t dy, const uint8_t *taken)
{
	uint8_t *m = c->s->match;
	uint32_t r, lo, hi;

	moved_range(c, rs, dy, &lo, &hi);
	memset(m, 0, rs->n);
	for (r = lo; r < hi; r++)
		m[r] = (taken == NULL || !taken[r]) &&
		    row_moved(c, rs, a, b, r, dy);
}

/* No row of r .. e-1 changed over tile columns a .. b-1. */
static int
rows_static(const struct ctx *c, const struct rstate *rs, uint32_t a,
    uint32_t b, uint32_t r, uint32_t e)
{
	for (; r < e; r++)
		if (!row_moved(c, rs, a, b, r, 0))
			return 0;
	return 1;
}

/*
 * The runs of matched rows into candidates; with take, their rows are
 * marked taken.  A run where nothing changed (a plain bar over itself, in
 * a damaged tile) is no move: it would copy pixels onto themselves.
 */
static void
take_runs(struct ctx *c, const struct rstate *rs, uint32_t a, uint32_t b,
    int32_t dy, uint8_t *take)
{
	const struct region *g = rs->g;
	const uint8_t *m = c->s->match;
	uint32_t r, e;

	for (r = 0; r < rs->n; r = e) {
		if (!m[r]) {
			e = r + 1;
			continue;
		}
		for (e = r + 1; e < rs->n && m[e]; e++)
			;
		if (e - r < SCROLL_MIN_HEIGHT || rows_static(c, rs, a, b, r, e))
			continue;
		add_band(c, g->tx0 + a, g->tx0 + b, g->y0 + r, g->y0 + e, dy);
		if (take != NULL)
			memset(take + r, 1, e - r);
	}
}

/* Most rows that changed are not in a move found for this region yet. */
static int
poorly_explained(const struct ctx *c, const struct rstate *rs, size_t pool0)
{
	const struct scroll_scratch *s = c->s;
	uint32_t r, y, changed = 0, covered = 0;
	size_t k;

	for (r = 0; r < rs->n; r++) {
		if (!s->donec[r] || !s->donep[r] || s->rowc[r] == s->rowp[r])
			continue;
		changed++;
		y = rs->g->y0 + r;
		for (k = pool0; k < c->npool; k++) {
			if (y >= c->pool[k].dst.y &&
			    y < c->pool[k].dst.y + c->pool[k].dst.h) {
				covered++;
				break;
			}
		}
	}
	return changed > 0 && covered * 2 < changed;
}

/* Rows in runs of matched rows long enough for a move. */
static uint32_t
run_rows(const uint8_t *m, uint32_t n)
{
	uint32_t r, e, rows = 0;

	for (r = 0; r < n; r = e) {
		for (e = r; e < n && m[e]; e++)
			;
		if (e - r >= SCROLL_MIN_HEIGHT)
			rows += e - r;
		if (e == r)
			e++;
	}
	return rows;
}

/*
 * The rows of match that also moved in column j, into out; returns
 * run_rows() of them.  A grow only ever drops rows from match, so what
 * column j did on the rows of the first try (colm) answers every later
 * one: each column is compared once a grow.
 */
static uint32_t
trial_column(struct ctx *c, const struct rstate *rs, uint32_t j, int32_t dy,
    uint8_t *out)
{
	struct scroll_scratch *s = c->s;
	const uint8_t *m = s->match;
	uint8_t *cm = s->colm + (size_t)j * rs->n;
	uint32_t r;

	if (!s->coltried[j]) {
		for (r = 0; r < rs->n; r++)
			cm[r] = m[r] && row_moved(c, rs, j, j + 1, r, dy);
		s->coltried[j] = 1;
	}
	for (r = 0; r < rs->n; r++)
		out[r] = m[r] && cm[r];
	return run_rows(out, rs->n);
}

static inline uint64_t
band_area(const struct ctx *c, const struct rstate *rs, uint32_t a,
    uint32_t b, uint32_t rows)
{
	return (uint64_t)(col_x(c, rs->g->tx0 + b) - col_x(c, rs->g->tx0 + a)) *
	    rows;
}

/*
 * Grow a move over columns from the column of [j, k) (columns that voted
 * dy) with the most votes, as far as lo .. hi-1 allow; take its runs and
 * leave the columns of [j, k) it did not take in *left and *right.
 */
static void
grow(struct ctx *c, const struct rstate *rs, uint32_t j, uint32_t k,
    uint32_t lo, uint32_t hi, int32_t dy, uint32_t *ra, uint32_t *rb)
{
	struct scroll_scratch *s = c->s;
	uint32_t seed = j, i, a, b, rows, rl = 0, rr = 0;
	uint64_t area, al, ar;

	for (i = j + 1; i < k; i++)
		if (s->colvotes[i] > s->colvotes[seed])
			seed = i;
	a = seed;
	b = seed + 1;
	memset(s->coltried + lo, 0, hi - lo);
	match_rows(c, rs, a, b, dy, NULL);
	rows = run_rows(s->match, rs->n);
	area = band_area(c, rs, a, b, rows);
	while (rows > 0) {
		al = ar = 0;
		if (a > lo) {
			rl = trial_column(c, rs, a - 1, dy, s->trial_l);
			al = band_area(c, rs, a - 1, b, rl);
		}
		if (b < hi) {
			rr = trial_column(c, rs, b, dy, s->trial_r);
			ar = band_area(c, rs, a, b + 1, rr);
		}
		if (al <= area && ar <= area)
			break;
		if (al >= ar) {
			memcpy(s->match, s->trial_l, rs->n);
			rows = rl;
			area = al;
			a--;
		} else {
			memcpy(s->match, s->trial_r, rs->n);
			rows = rr;
			area = ar;
			b++;
		}
	}
	take_runs(c, rs, a, b, dy, NULL);
	*ra = a > j ? a : j;
	*rb = b < k ? b : k;
}

/* Each tile column votes; moves grow over the columns that agree. */
static void
refine_columns(struct ctx *c, struct rstate *rs)
{
	struct scroll_scratch *s = c->s;
	uint32_t j, k, lo, hi, a, b, todo[2 * 2], nt, sp;
	int32_t dy;

	for (j = 0; j < rs->nc; j++) {
		if (vote(s, s->segc + j, s->segp + j, rs->nc, rs->n, &dy, 1,
		    &s->colvotes[j]) == 1)
			s->colbest[j] = dy;
		else
			s->colbest[j] = NO_DY;
	}
	for (j = 0; j < rs->nc; j = k) {
		if ((dy = s->colbest[j]) == NO_DY) {
			k = j + 1;
			continue;
		}
		for (k = j + 1; k < rs->nc && s->colbest[k] == dy; k++)
			;
		for (lo = j; lo > 0 && s->colbest[lo - 1] == NO_DY; lo--)
			;
		for (hi = k; hi < rs->nc && s->colbest[hi] == NO_DY; hi++)
			;
		/* The columns [j, k) a grow did not take try once more, on
		 * each side: a third grow is rarely worth its compare. */
		grow(c, rs, j, k, lo, hi, dy, &a, &b);
		nt = 0;
		if (a > j) {
			todo[nt++] = j;
			todo[nt++] = a;
		}
		if (b < k) {
			todo[nt++] = b;
			todo[nt++] = k;
		}
		for (sp = 0; sp < nt; sp += 2)
			grow(c, rs, todo[sp], todo[sp + 1], todo[sp] == j ? lo :
			    todo[sp], todo[sp + 1] == k ? hi : todo[sp + 1],
			    dy, &a, &b);
	}
}

static void
do_region(struct ctx *c, const struct region *g)
{
	struct scroll_scratch *s = c->s;
	struct rstate rs;
	int32_t dys[CAND_DYS];
	size_t ndy, i, pool0 = c->npool;

	rs.g = g;
	rs.n = g->y1 - g->y0;
	rs.nc = g->tx1 - g->tx0;
	/* Room for a move and the row it came from, at least. */
	if (rs.n <= SCROLL_MIN_HEIGHT ||
	    (uint64_t)(g->x1 - g->x0) * (rs.n - 1) < SCROLL_MIN_AREA)
		return;
	memset(s->donec, 0, rs.n);
	memset(s->donep, 0, rs.n);
	memset(s->taken, 0, rs.n);
	hash_rows(c, &rs, 0, rs.n < SPARSE_ROWS);
	hash_rows(c, &rs, 1, rs.n < SPARSE_ROWS);
	combine_rows(c, &rs, 0, rs.nc);
	ndy = vote(s, s->rowc, s->rowp, 1, rs.n, dys, CAND_DYS, NULL);
	for (i = 0; i < ndy; i++) {
		match_rows(c, &rs, 0, rs.nc, dys[i], s->taken);
		take_runs(c, &rs, 0, rs.nc, dys[i], s->taken);
	}
	if (rs.nc >= 2 && poorly_explained(c, &rs, pool0))
		refine_columns(c, &rs);
}

static void
region_of_tiles(const struct ctx *c, struct region *g)
{
	g->x0 = col_x(c, g->tx0);
	g->x1 = col_x(c, g->tx1);
	g->y0 = g->ty0 * T;
	g->y1 = (uint64_t)g->ty1 * T < c->height ? g->ty1 * T : c->height;
}

static inline int
regions_meet(const struct region *a, const struct region *b)
{
	return a->tx0 < b->tx1 && b->tx0 < a->tx1 && a->ty0 < b->ty1 &&
	    b->ty0 < a->ty1;
}

/*
 * The 4-connected groups of damaged tiles, as bounding boxes: the
 * REGIONS_MAX with the most tiles, boxes that overlap merged, largest
 * first.
 */
static size_t
find_regions(struct ctx *c, struct region *out)
{
	const struct damage *d = c->d;
	struct scroll_scratch *s = c->s;
	size_t n = 0, i, j, sp, small, ntiles = (size_t)d->cols * d->rows;
	uint32_t id = 0, tx, ty, t, nb[4], k, nn;
	struct region g, tmp;
	int merged;

	memset(s->label, 0, ntiles * sizeof(*s->label));
	for (i = 0; i < ntiles; i++) {
		if (!d->tiles[i] || s->label[i])
			continue;
		id++;
		g.tx0 = g.tx1 = (uint32_t)(i % d->cols);
		g.ty0 = g.ty1 = (uint32_t)(i / d->cols);
		g.tiles = 0;
		s->label[i] = id;
		s->stack[0] = (uint32_t)i;
		for (sp = 1; sp > 0;) {
			t = s->stack[--sp];
			tx = t % d->cols;
			ty = t / d->cols;
			g.tiles++;
			if (tx < g.tx0)
				g.tx0 = tx;
			if (tx > g.tx1)
				g.tx1 = tx;
			if (ty < g.ty0)
				g.ty0 = ty;
			if (ty > g.ty1)
				g.ty1 = ty;
			nn = 0;
			if (tx > 0)
				nb[nn++] = t - 1;
			if (tx + 1 < d->cols)
				nb[nn++] = t + 1;
			if (ty > 0)
				nb[nn++] = t - d->cols;
			if (ty + 1 < d->rows)
				nb[nn++] = t + d->cols;
			for (k = 0; k < nn; k++) {
				if (d->tiles[nb[k]] && !s->label[nb[k]]) {
					s->label[nb[k]] = id;
					s->stack[sp++] = nb[k];
				}
			}
		}
		g.tx1++;
		g.ty1++;
		if (n < REGIONS_MAX) {
			out[n++] = g;
			continue;
		}
		for (small = 0, j = 1; j < n; j++)
			if (out[j].tiles < out[small].tiles)
				small = j;
		if (out[small].tiles < g.tiles)
			out[small] = g;
	}
	do {
		merged = 0;
		for (i = 0; i < n && !merged; i++) {
			for (j = i + 1; j < n && !merged; j++) {
				if (!regions_meet(&out[i], &out[j]))
					continue;
				if (out[j].tx0 < out[i].tx0)
					out[i].tx0 = out[j].tx0;
				if (out[j].tx1 > out[i].tx1)
					out[i].tx1 = out[j].tx1;
				if (out[j].ty0 < out[i].ty0)
					out[i].ty0 = out[j].ty0;
				if (out[j].ty1 > out[i].ty1)
					out[i].ty1 = out[j].ty1;
				out[i].tiles += out[j].tiles;
				out[j] = out[--n];
				merged = 1;
			}
		}
	} while (merged);
	/* Largest first: when the pool fills, the small ones lose. */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && out[j - 1].tiles < out[j].tiles; j--) {
			tmp = out[j];
			out[j] = out[j - 1];
			out[j - 1] = tmp;
		}
	}
	for (i = 0; i < n; i++)
		region_of_tiles(c, &out[i]);
	return n;
}

static int
cmp_area(const void *pa, const void *pb)
{
	const struct scroll_move *a = pa, *b = pb;
	uint64_t x = area_of(&a->dst), y = area_of(&b->dst);

	if (x != y)
		return x < y ? 1 : -1;
	if (a->dst.y != b->dst.y)
		return a->dst.y < b->dst.y ? -1 : 1;
	if (a->dst.x != b->dst.x)
		return a->dst.x < b->dst.x ? -1 : 1;
	return (a->dy > b->dy) - (a->dy < b->dy);
}

/* Cut m's rows to the larger part left outside taken (which it meets). */
static void
trim(struct scroll_move *m, const struct rect *taken)
{
	uint32_t above = 0, below = 0, end = m->dst.y + m->dst.h;
	uint32_t tend = taken->y + taken->h;

	if (taken->y > m->dst.y)
		above = taken->y - m->dst.y;
	if (end > tend)
		below = end - tend;
	if (above >= below)
		m->dst.h = above;
	else {
		m->dst.y = tend;
		m->dst.h = below;
	}
}

/*
 * Where m can go in out[0..k-1]: after every move whose destination its
 * source meets, before every move whose source its destination meets.
 * -1 when there is no such place, or when m's destination meets one
 * (choose() trims them apart first).
 */
static int
place(const struct scroll_move *out, size_t k, const struct scroll_move *m)
{
	struct rect ms = src_of(m), s;
	size_t p, i;
	int fits;

	for (i = 0; i < k; i++)
		if (meet(&m->dst, &out[i].dst))
			return -1;
	for (p = 0; p <= k; p++) {
		fits = 1;
		for (i = 0; i < p && fits; i++)
			fits = !meet(&ms, &out[i].dst);
		for (i = p; i < k && fits; i++) {
			s = src_of(&out[i]);
			fits = !meet(&m->dst, &s);
		}
		if (fits)
			return (int)p;
	}
	return -1;
}

static size_t
choose(struct ctx *c, struct scroll_move *out, size_t max)
{
	struct scroll_move m;
	size_t i, j, k = 0;
	int p;

	qsort(c->pool, c->npool, sizeof(c->pool[0]), cmp_area);
	for (i = 0; i < c->npool && k < max; i++) {
		m = c->pool[i];
		for (j = 0; j < k && m.dst.h > 0; j++)
			if (meet(&m.dst, &out[j].dst))
				trim(&m, &out[j].dst);
		if (!worth(&m.dst) || (p = place(out, k, &m)) < 0)
			continue;
		memmove(out + p + 1, out + p, (k - (size_t)p) * sizeof(*out));
		out[p] = m;
		k++;
	}
	return k;
}

size_t
scroll_detect(const uint8_t *prev, const uint8_t *cur, size_t stride,
    uint32_t width, uint32_t height, const struct damage *d,
    struct scroll_move *out, size_t max, struct scroll_scratch *scratch)
{
	struct region regions[REGIONS_MAX];
	struct ctx *c, ctx;
	size_t n, i;

	if (max == 0 || width == 0 || height == 0 || d == NULL ||
	    d->tiles == NULL || d->width != width || d->height != height ||
	    d->count == 0 || stride / 4 < width || prev == cur)
		return 0;
	if (scratch_fit(scratch, width, height) == -1)
		return 0;
	c = &ctx;
	c->prev = prev;
	c->cur = cur;
	c->stride = stride;
	c->width = width;
	c->height = height;
	c->d = d;
	c->s = scratch;
	c->npool = 0;
	n = find_regions(c, regions);
	for (i = 0; i < n; i++)
		do_region(c, &regions[i]);
	return choose(c, out, max);
}
