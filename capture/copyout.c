/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copy-out of a frame with its map of changed tiles, in one read.
 *
 * Device memory (a DRM dumb buffer, a dma-buf, an fbdev mapping) is often
 * write-combined: a plain load is uncached and slow, and only SSE4.1's
 * streaming load (movntdqa) reads it at speed, a whole 64-byte line into
 * a fill buffer at a time.  So the frame is read once, front to back in
 * whole lines, and each 16-byte register a streaming load filled is both
 * stored into the ring slot and fed to a fingerprint of the tile it
 * belongs to.  After each row of tiles the fingerprints are compared with
 * those of the frame copied before: that is the map.  Comparing with the
 * frame before instead would read two frames, one of them from device
 * memory twice; keeping a copy of our own would write one more.
 *
 * The fingerprint of a tile, with SSE4.2: four CRC32C chains (the crc32
 * instruction, one a cycle), 128 bits.  The pixel at (x, y) goes into chain
 * (x + y) mod 4 as a 32-bit word, so that the four pixels of a register
 * feed four independent chains (no chain waits for the latency of
 * another), and a one-pixel vertical or horizontal line touches all four.
 * A change is missed only if every chain it touches misses it:
 *
 *  - a chain never misses a change to one of its pixels (CRC32C detects
 *    every burst of up to 32 bits) nor a change of up to 3 bits (its
 *    Hamming distance is 4 at the 32768 bits of a chain), so a change
 *    that leaves one changed pixel in some chain, such as any change of
 *    up to four pixels in a row, is always found;
 *  - otherwise a chain misses a change that looks random with a chance of
 *    2^-32, so a change touching two chains or more (anything but pixels
 *    all on one diagonal lattice x + y = c mod 4) is missed with a chance
 *    of at most 2^-64: at 15000 changed tiles a second (a whole 1080p
 *    screen at 30 fps) once in about 39 million years; one confined to a
 *    single lattice with a chance of 2^-32.
 *
 * Elsewhere (no SSE4.2, not x86-64): two 64-bit chains per tile, a pair of
 * pixels (8 bytes) into chain (x / 2 + y) mod 2, each step
 * h = (h ^ word) * K; h ^= h >> 32.  Every step is a bijection of h and
 * injective in the word, so a change that leaves one changed word in some
 * chain is always found; for other changes 2^-64 is the hope of a good
 * mixing function, not a proof.
 *
 * The two fingerprints differ, but a copyout uses one of them for its
 * whole life (the CPU does not change), whatever the alignment of src.
 * Where the source changes while it is read (tearing) nothing breaks: the
 * map and the fingerprints describe what was copied.
 *
 * Streaming loads need 16-byte alignment: with a src or src_stride that
 * is not a multiple of 16 the same code runs with plain loads.  The bytes
 * of a row past its last 16-byte block (a width that is not a multiple of
 * 4 pixels) are read with plain loads, so that no byte outside the rows is
 * ever touched.  dst gets ordinary stores: the broker reads the slot soon
 * after, from the caches when it fits.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "capture/copyout.h"
#include "common/tiles.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define COPYOUT_X86	1
#include <immintrin.h>
#define X86_TARGET	__attribute__((target("sse4.1,sse4.2")))
#endif

#define ALWAYS_INLINE	inline __attribute__((always_inline))

#define TILE_ROW_BYTES	(TILE_SIDE * 4)		/* one row of one tile */
#define MAX_COLS	(COPYOUT_MAX_SIDE / TILE_SIDE)
#define CRC_SEED	0xffffffffu
/* Odd: multiplying by it is a bijection of 64-bit words. */
#define MIX_K		0x9e3779b97f4a7c15ull
#define MIX_SEED	0x243f6a8885a308d3ull

union fp {
	uint32_t	crc[4];		/* SSE4.2: four CRC32C chains */
	uint64_t	mix[2];		/* portable: two 64-bit chains */
};

/* Feed nrows rows (the first is row y0 of the frame) of one tile row. */
typedef void rows_fn(const struct copyout *co, union fp *acc, uint8_t *dst,
    size_t dst_stride, const uint8_t *src, size_t src_stride, uint32_t y0,
    uint32_t nrows);

struct copyout {
	uint32_t	width, height;
	uint32_t	cols, rows;
	size_t		row_bytes;
	int		crc;		/* SSE4.2 path */
	int		fresh;		/* no frame copied since new/reset */
	union fp	*fps;		/* cols * rows: the last frame copied */
};

#ifdef COPYOUT_X86
static ALWAYS_INLINE X86_TARGET __m128i
crc_load(const uint8_t *p, int stream)
{
	if (stream)
		return _mm_stream_load_si128((__m128i *)(uintptr_t)p);
	return _mm_loadu_si128((const __m128i *)p);
}

enum store {
	STORE_NONE,		/* copyout_changed */
	STORE_PLAIN,		/* dst not 16-byte aligned */
	STORE_STREAM,		/* non-temporal (movntdq) */
};

/* dst + off only where there is a dst: no arithmetic on NULL. */
static ALWAYS_INLINE X86_TARGET void
crc_store(uint8_t *d, size_t off, __m128i v, enum store store)
{
	if (store == STORE_STREAM)
		_mm_stream_si128((__m128i *)(uintptr_t)(d + off), v);
	else if (store == STORE_PLAIN)
		_mm_storeu_si128((__m128i *)(uintptr_t)(d + off), v);
}

/* Pixel p of a row into chain c, by itself (the end of a row). */
#define CRC_PIXEL(c) do {						\
	memcpy(&p, s + off, 4);						\
	(c) = _mm_crc32_u32((c), p);					\
	if (store)							\
		memcpy(d + off, &p, 4);					\
	off += 4;							\
} while (0)

static ALWAYS_INLINE X86_TARGET void
crc_rows(const struct copyout *co, union fp *acc, uint8_t *dst,
    size_t dst_stride, const uint8_t *src, size_t src_stride, uint32_t y0,
    uint32_t nrows, int stream, enum store store)
{
	size_t rb = co->row_bytes, off, end;
	uint32_t r, tx, p, *c, a0, a1, a2, a3;
	unsigned int rot;
	const uint8_t *s;
	uint8_t *d = NULL;
	__m128i v, w, lo, hi;

	for (r = 0; r < nrows; r++) {
		s = src + (size_t)r * src_stride;
		if (store)
			d = dst + (size_t)r * dst_stride;
		/* Pixel x of row y into chain (x + y) % 4. */
		rot = (y0 + r) & 3;
		for (tx = 0, off = 0; tx < co->cols; tx++) {
			c = acc[tx].crc;
			a0 = c[rot];
			a1 = c[(rot + 1) & 3];
			a2 = c[(rot + 2) & 3];
			a3 = c[(rot + 3) & 3];
			end = off + TILE_ROW_BYTES < rb ? off + TILE_ROW_BYTES :
			    rb;
			/*
			 * Two registers at a time: pixel j of each, paired,
			 * is one crc32 of 64 bits, the same as two of 32
			 * bits in a row, at half the instructions.
			 */
			for (; off + 32 <= end; off += 32) {
				v = crc_load(s + off, stream);
				w = crc_load(s + off + 16, stream);
				crc_store(d, off, v, store);
				crc_store(d, off + 16, w, store);
				lo = _mm_unpacklo_epi32(v, w);
				hi = _mm_unpackhi_epi32(v, w);
				a0 = (uint32_t)_mm_crc32_u64(a0,
				    (uint64_t)_mm_cvtsi128_si64(lo));
				a1 = (uint32_t)_mm_crc32_u64(a1,
				    (uint64_t)_mm_extract_epi64(lo, 1));
				a2 = (uint32_t)_mm_crc32_u64(a2,
				    (uint64_t)_mm_cvtsi128_si64(hi));
				a3 = (uint32_t)_mm_crc32_u64(a3,
				    (uint64_t)_mm_extract_epi64(hi, 1));
			}
			if (off + 16 <= end) {
				v = crc_load(s + off, stream);
				crc_store(d, off, v, store);
				a0 = _mm_crc32_u32(a0, (uint32_t)
				    _mm_cvtsi128_si32(v));
				a1 = _mm_crc32_u32(a1, (uint32_t)
				    _mm_extract_epi32(v, 1));
				a2 = _mm_crc32_u32(a2, (uint32_t)
				    _mm_extract_epi32(v, 2));
				a3 = _mm_crc32_u32(a3, (uint32_t)
				    _mm_extract_epi32(v, 3));
				off += 16;
			}
			/* The last 1 to 3 pixels of a row, one by one. */
			if (off < end)
				CRC_PIXEL(a0);
			if (off < end)
				CRC_PIXEL(a1);
			if (off < end)
				CRC_PIXEL(a2);
			c[rot] = a0;
			c[(rot + 1) & 3] = a1;
			c[(rot + 2) & 3] = a2;
			c[(rot + 3) & 3] = a3;
		}
	}
}

/* The variants: streaming loads or not, by the store. */
#define CRC_VARIANT(name, stream, store)				\
static X86_TARGET void							\
name(const struct copyout *co, union fp *acc, uint8_t *dst,		\
    size_t dst_stride, const uint8_t *src, size_t src_stride, uint32_t y0, \
    uint32_t nrows)							\
{									\
	crc_rows(co, acc, dst, dst_stride, src, src_stride, y0, nrows,	\
	    stream, store);						\
}
CRC_VARIANT(crc_copy_ss, 1, STORE_STREAM)
CRC_VARIANT(crc_copy_sp, 1, STORE_PLAIN)
CRC_VARIANT(crc_copy_ps, 0, STORE_STREAM)
CRC_VARIANT(crc_copy_pp, 0, STORE_PLAIN)
CRC_VARIANT(crc_look_s, 1, STORE_NONE)
CRC_VARIANT(crc_look_p, 0, STORE_NONE)
#endif /* COPYOUT_X86 */

static ALWAYS_INLINE uint64_t
mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MIX_K;
	return h ^ (h >> 32);
}

static ALWAYS_INLINE void
mix_rows(const struct copyout *co, union fp *acc, uint8_t *dst,
    size_t dst_stride, const uint8_t *src, size_t src_stride, uint32_t y0,
    uint32_t nrows, int store)
{
	size_t rb = co->row_bytes, off, end;
	uint32_t r, tx, p;
	unsigned int rot;
	uint64_t h0, h1, w0, w1, *h;
	const uint8_t *s;
	uint8_t *d = NULL;

	for (r = 0; r < nrows; r++) {
		s = src + (size_t)r * src_stride;
		if (store)
			d = dst + (size_t)r * dst_stride;
		/* Pixels x and x + 1 of row y into chain (x / 2 + y) % 2. */
		rot = (y0 + r) & 1;
		for (tx = 0, off = 0; tx < co->cols; tx++) {
			h = acc[tx].mix;
			h0 = h[rot];
			h1 = h[rot ^ 1];
			end = off + TILE_ROW_BYTES < rb ? off + TILE_ROW_BYTES :
			    rb;
			for (; off + 16 <= end; off += 16) {
				memcpy(&w0, s + off, 8);
				memcpy(&w1, s + off + 8, 8);
				if (store) {
					memcpy(d + off, &w0, 8);
					memcpy(d + off + 8, &w1, 8);
				}
				h0 = mix(h0, w0);
				h1 = mix(h1, w1);
			}
			if (off + 8 <= end) {
				memcpy(&w0, s + off, 8);
				if (store)
					memcpy(d + off, &w0, 8);
				h0 = mix(h0, w0);
				off += 8;
				if (off < end) {
					memcpy(&p, s + off, 4);
					if (store)
						memcpy(d + off, &p, 4);
					h1 = mix(h1, p);
					off += 4;
				}
			} else if (off < end) {
				memcpy(&p, s + off, 4);
				if (store)
					memcpy(d + off, &p, 4);
				h0 = mix(h0, p);
				off += 4;
			}
			h[rot] = h0;
			h[rot ^ 1] = h1;
		}
	}
}

static void
mix_copy(const struct copyout *co, union fp *acc, uint8_t *dst,
    size_t dst_stride, const uint8_t *src, size_t src_stride, uint32_t y0,
    uint32_t nrows)
{
	mix_rows(co, acc, dst, dst_stride, src, src_stride, y0, nrows, 1);
}

static void
mix_look(const struct copyout *co, union fp *acc, uint8_t *dst,
    size_t dst_stride, const uint8_t *src, size_t src_stride, uint32_t y0,
    uint32_t nrows)
{
	mix_rows(co, acc, dst, dst_stride, src, src_stride, y0, nrows, 0);
}

static int
aligned16(const uint8_t *p, size_t stride)
{
	return (((uintptr_t)p | stride) & 15) == 0;
}

/* The rows of a copy (dst) or a look (dst NULL) on this CPU. */
static rows_fn *
rows_for(const struct copyout *co, const uint8_t *dst, size_t dst_stride,
    const uint8_t *src, size_t src_stride)
{
#ifdef COPYOUT_X86
	int s = aligned16(src, src_stride), d = aligned16(dst, dst_stride);

	if (co->crc && dst == NULL)
		return s ? crc_look_s : crc_look_p;
	if (co->crc && s)
		return d ? crc_copy_ss : crc_copy_sp;
	if (co->crc)
		return d ? crc_copy_ps : crc_copy_pp;
#endif
	return dst != NULL ? mix_copy : mix_look;
}

static struct copyout *
copyout_alloc(uint32_t width, uint32_t height, int crc)
{
	struct copyout *co;

	if (width == 0 || height == 0 || width > COPYOUT_MAX_SIDE ||
	    height > COPYOUT_MAX_SIDE)
		return NULL;
	if ((co = calloc(1, sizeof(*co))) == NULL)
		return NULL;
	co->width = width;
	co->height = height;
	co->cols = tiles_cols(width);
	co->rows = tiles_rows(height);
	co->row_bytes = (size_t)width * 4;
	co->crc = crc;
	co->fresh = 1;
	if ((co->fps = calloc(tiles_map_size(width, height),
	    sizeof(*co->fps))) == NULL) {
		free(co);
		return NULL;
	}
	return co;
}

struct copyout *
copyout_new(uint32_t width, uint32_t height)
{
	int crc = 0;

#ifdef COPYOUT_X86
	/* crc32 is SSE4.2; every CPU with SSE4.2 has SSE4.1's movntdqa. */
	crc = __builtin_cpu_supports("sse4.2") &&
	    __builtin_cpu_supports("sse4.1");
#endif
	return copyout_alloc(width, height, crc);
}

struct copyout *
copyout_new_portable(uint32_t width, uint32_t height)
{
	return copyout_alloc(width, height, 0);
}

void
copyout_free(struct copyout *co)
{
	if (co == NULL)
		return;
	free(co->fps);
	free(co);
}

void
copyout_reset(struct copyout *co)
{
	co->fresh = 1;
}

static void
acc_seed(const struct copyout *co, union fp *acc)
{
	uint32_t tx;

	for (tx = 0; tx < co->cols; tx++) {
		if (co->crc) {
			acc[tx].crc[0] = acc[tx].crc[1] = CRC_SEED;
			acc[tx].crc[2] = acc[tx].crc[3] = CRC_SEED;
		} else
			acc[tx].mix[0] = acc[tx].mix[1] = MIX_SEED;
	}
}

size_t
copyout_copy(struct copyout *co, uint8_t *dst, size_t dst_stride,
    const uint8_t *src, size_t src_stride, uint8_t *map)
{
	union fp acc[MAX_COLS];
	rows_fn *rows = rows_for(co, dst, dst_stride, src, src_stride);
	uint32_t ty, tx, y0, n;
	size_t i, marked = 0;
	int changed;

	for (ty = 0; ty < co->rows; ty++) {
		y0 = ty * TILE_SIDE;
		n = co->height - y0 < TILE_SIDE ? co->height - y0 : TILE_SIDE;
		acc_seed(co, acc);
		rows(co, acc, dst + (size_t)y0 * dst_stride, dst_stride,
		    src + (size_t)y0 * src_stride, src_stride, y0, n);
		for (tx = 0; tx < co->cols; tx++) {
			i = (size_t)ty * co->cols + tx;
			changed = co->fresh ||
			    memcmp(&co->fps[i], &acc[tx], sizeof(acc[tx])) != 0;
			co->fps[i] = acc[tx];
			if (map != NULL)
				map[i] = (uint8_t)changed;
			marked += (size_t)changed;
		}
	}
#ifdef COPYOUT_X86
	/* Non-temporal stores are weakly ordered: all of them before the
	 * frame is announced. */
	if (co->crc)
		_mm_sfence();
#endif
	co->fresh = 0;
	return marked;
}

size_t
copyout_changed(const struct copyout *co, const uint8_t *src,
    size_t src_stride)
{
	union fp acc[MAX_COLS];
	rows_fn *rows = rows_for(co, NULL, 0, src, src_stride);
	uint32_t ty, tx, y0, n;
	size_t i, marked = 0;

	/* Nothing copied yet: every tile differs from no frame. */
	if (co->fresh)
		return (size_t)co->cols * co->rows;
	for (ty = 0; ty < co->rows; ty++) {
		y0 = ty * TILE_SIDE;
		n = co->height - y0 < TILE_SIDE ? co->height - y0 : TILE_SIDE;
		acc_seed(co, acc);
		rows(co, acc, NULL, 0, src + (size_t)y0 * src_stride,
		    src_stride, y0, n);
		for (tx = 0; tx < co->cols; tx++) {
			i = (size_t)ty * co->cols + tx;
			marked += memcmp(&co->fps[i], &acc[tx],
			    sizeof(acc[tx])) != 0;
		}
	}
	return marked;
}

const char *
copyout_method(const struct copyout *co, const uint8_t *src,
    size_t src_stride)
{
	if (!co->crc)
		return "portable fingerprint, plain loads and stores";
	if (aligned16(src, src_stride))
		return "CRC32C (SSE4.2), streaming loads (SSE4.1), "
		    "non-temporal stores where dst is 16-byte aligned";
	return "CRC32C (SSE4.2), plain loads (src not 16-byte aligned)";
}
