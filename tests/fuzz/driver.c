/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs a fuzz target (LLVMFuzzerTestOneInput) without libFuzzer, as a
 * bad-input test of `make check`: every file of its seed corpus, then a
 * fixed number of deterministic mutations of them (bit flips, truncation,
 * splices, random bytes).  A crash, a sanitizer report or a hang fails the
 * test.  Built with --enable-fuzzing, the same target links with libFuzzer
 * instead, for coverage-guided runs.
 *
 * Usage: fuzz-NAME [CORPUS_DIR] [ITERATIONS]
 * The corpus defaults to $top_srcdir/tests/fuzz/corpus/NAME, the number of
 * mutations to $FUZZ_ITERATIONS or 20000.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_INPUT_MAX	(1 << 16)

struct seed {
	uint8_t	*data;
	size_t	size;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	/* xorshift64*: reproducible from run to run. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t
load_corpus(const char *dir, struct seed *seeds, size_t max)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < max) {
		char path[8192];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		seeds[n].data = malloc(FUZZ_INPUT_MAX);
		seeds[n].size = fread(seeds[n].data, 1, FUZZ_INPUT_MAX, f);
		fclose(f);
		n++;
	}
	closedir(d);
	return n;
}

static size_t
mutate(uint8_t *buf, size_t size, const struct seed *seeds, size_t nseeds)
{
	unsigned int ops = 1 + rng() % 4;

	for (unsigned int i = 0; i < ops; i++) {
		switch (rng() % 6) {
		case 0:		/* flip a bit */
			if (size > 0)
				buf[rng() % size] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 1:		/* set a byte to an interesting value */
			if (size > 0) {
				static const uint8_t v[] = { 0, 1, 0x7f, 0x80, 0xff };
				buf[rng() % size] = v[rng() % sizeof(v)];
			}
			break;
		case 2:		/* truncate */
			if (size > 0)
				size = rng() % size;
			break;
		case 3:		/* append random bytes */
			for (unsigned int n = rng() % 64; n > 0 && size < FUZZ_INPUT_MAX; n--)
				buf[size++] = (uint8_t)rng();
			break;
		case 4:		/* splice another seed at a random point */
			if (nseeds > 0) {
				const struct seed *s = &seeds[rng() % nseeds];
				size_t at = size > 0 ? rng() % size : 0;
				size_t n = s->size;

				if (at + n > FUZZ_INPUT_MAX)
					n = FUZZ_INPUT_MAX - at;
				memcpy(buf + at, s->data, n);
				if (at + n > size)
					size = at + n;
			}
			break;
		case 5:		/* overwrite a 32-bit field */
			if (size >= 4) {
				uint32_t v = (uint32_t)rng();
				memcpy(buf + rng() % (size - 3), &v, 4);
			}
			break;
		}
	}
	return size;
}

int
main(int argc, char **argv)
{
	static struct seed seeds[256];
	const char *srcdir = getenv("top_srcdir");
	const char *env_iter = getenv("FUZZ_ITERATIONS");
	const char *name = strrchr(argv[0], '/');
	char defdir[8192];
	const char *dir;
	unsigned long iterations;

	name = name != NULL ? name + 1 : argv[0];
	if (strncmp(name, "fuzz-", 5) == 0)
		name += 5;
	snprintf(defdir, sizeof(defdir), "%s/tests/fuzz/corpus/%s",
	    srcdir != NULL ? srcdir : ".", name);
	dir = argc > 1 ? argv[1] : defdir;
	iterations = argc > 2 ? strtoul(argv[2], NULL, 10) :
	    env_iter != NULL ? strtoul(env_iter, NULL, 10) : 20000;
	uint8_t *buf = malloc(FUZZ_INPUT_MAX);
	size_t nseeds;


	nseeds = load_corpus(dir, seeds, 256);
	for (size_t i = 0; i < nseeds; i++)
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].size);
	printf("%s 1 - %zu seed inputs from %s\n", nseeds > 0 ? "ok" : "not ok",
	    nseeds, dir);
	for (unsigned long i = 0; i < iterations; i++) {
		size_t size = 0;

		if (nseeds > 0) {
			const struct seed *s = &seeds[rng() % nseeds];

			memcpy(buf, s->data, s->size);
			size = s->size;
		}
		size = mutate(buf, size, seeds, nseeds);
		LLVMFuzzerTestOneInput(buf, size);
	}
	printf("ok 2 - %lu mutated inputs\n1..2\n", iterations);
	for (size_t i = 0; i < nseeds; i++)
		free(seeds[i].data);
	free(buf);
	return 0;
}
