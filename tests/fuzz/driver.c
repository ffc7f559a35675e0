/*
 * Standalone fuzz driver: runs a libFuzzer-style target
 * (LLVMFuzzerTestOneInput) without libFuzzer, so every parser's fuzz target
 * runs in the ordinary test suite under ASan/UBSan with the host gcc.
 *
 * It first replays every seed of tests/fuzz/corpus/<name>/ (name = program
 * name without "fuzz-"), then mutates seeds at random (bit flips, byte
 * writes, inserts, deletes, splices, boundary values) for a bounded time.
 * Given file arguments it replays only those files (to reproduce a crash).
 * When a sanitizer aborts, the input that did it is written to
 * crash-<name>-<seed> in the current folder.
 *
 * Environment: KXEN_SRCDIR (to find the corpus), KXEN_FUZZ_SECONDS (default
 * 10), KXEN_FUZZ_SEED (default: time), KXEN_FUZZ_MAX_LEN (default 65536).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

struct input {
	uint8_t *data;
	size_t len;
};

static struct {
	const char *name;
	unsigned long seed;
	const struct input *current;
	struct input *seeds;
	size_t nr_seeds;
	size_t max_len;
} fuzz;

static void save_current(void)
{
	char path[PATH_MAX];
	FILE *f;

	if (!fuzz.current)
		return;
	snprintf(path, sizeof(path), "crash-%s-%lu", fuzz.name, fuzz.seed);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(fuzz.current->data, 1, fuzz.current->len, f);
	fclose(f);
	fprintf(stderr, "fuzz: input written to %s\n", path);
}

static void run_one(const struct input *in)
{
	/* A private copy: a target reading past its input is then an ASan error. */
	uint8_t *copy = malloc(in->len ? in->len : 1);
	struct input exact = { copy, in->len };

	if (!copy)
		abort();
	memcpy(copy, in->data, in->len);
	fuzz.current = &exact;
	LLVMFuzzerTestOneInput(copy, in->len);
	fuzz.current = NULL;
	free(copy);
}

static int read_file(const char *path, struct input *in)
{
	FILE *f = fopen(path, "rb");
	long len;
	int rc = -1;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto out;
	in->data = malloc(len ? len : 1);
	if (!in->data)
		goto out;
	in->len = fread(in->data, 1, len, f);
	rc = 0;
out:
	fclose(f);
	return rc;
}

static void load_corpus(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct input in;
		struct input *grown;

		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		if (read_file(path, &in))
			continue;
		grown = realloc(fuzz.seeds, (fuzz.nr_seeds + 1) * sizeof(*grown));
		if (!grown)
			abort();
		fuzz.seeds = grown;
		fuzz.seeds[fuzz.nr_seeds++] = in;
	}
	closedir(d);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: fast, and reproducible from the printed seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static void mutate(struct input *in)
{
	static const uint8_t boundary[] = { 0,	 1,    0x7f, 0x80, 0xff, '/', '\0',
					    '"', '\n', '[',  ']',  ',',	 '=' };
	size_t rounds = 1 + rng() % 8;

	while (rounds--) {
		size_t pos = in->len ? rng() % in->len : 0;

		switch (rng() % 7) {
		case 0:
			if (in->len)
				in->data[pos] ^= 1u << (rng() % 8);
			break;
		case 1:
			if (in->len)
				in->data[pos] = rng();
			break;
		case 2:
			if (in->len)
				in->data[pos] = boundary[rng() % sizeof(boundary)];
			break;
		case 3: /* insert */
			if (in->len < fuzz.max_len) {
				memmove(in->data + pos + 1, in->data + pos, in->len - pos);
				in->data[pos] = rng();
				in->len++;
			}
			break;
		case 4: /* delete a run */
			if (in->len) {
				size_t n = 1 + rng() % (in->len - pos);
				memmove(in->data + pos, in->data + pos + n, in->len - pos - n);
				in->len -= n;
			}
			break;
		case 5: /* splice from another seed */
			if (fuzz.nr_seeds) {
				const struct input *o = &fuzz.seeds[rng() % fuzz.nr_seeds];
				size_t from = o->len ? rng() % o->len : 0;
				size_t n = o->len - from;

				if (pos + n > fuzz.max_len)
					n = fuzz.max_len - pos;
				memcpy(in->data + pos, o->data + from, n);
				if (pos + n > in->len)
					in->len = pos + n;
			}
			break;
		default: /* truncate */
			in->len = pos;
			break;
		}
	}
}

static unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

int main(int argc, char **argv)
{
	const char *srcdir = getenv("KXEN_SRCDIR");
	char corpus[PATH_MAX];
	unsigned long seconds, runs = 0;
	struct input work;
	time_t end;
	size_t i;

	fuzz.name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (!strncmp(fuzz.name, "lt-", 3)) /* libtool's wrapped name */
		fuzz.name += 3;
	if (!strncmp(fuzz.name, "fuzz-", 5))
		fuzz.name += 5;
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(save_current);

	if (argc > 1) { /* reproduce */
		for (i = 1; i < (size_t)argc; i++) {
			struct input in;

			if (read_file(argv[i], &in)) {
				fprintf(stderr, "fuzz: %s: %s\n", argv[i], strerror(errno));
				return 1;
			}
			run_one(&in);
			free(in.data);
		}
		printf("fuzz: %s: replayed %d inputs\n", fuzz.name, argc - 1);
		return 0;
	}

	fuzz.seed = env_ulong("KXEN_FUZZ_SEED", (unsigned long)time(NULL) ^ getpid());
	fuzz.max_len = env_ulong("KXEN_FUZZ_MAX_LEN", 65536);
	seconds = env_ulong("KXEN_FUZZ_SECONDS", 10);
	rng_state = fuzz.seed | 1;
	snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus/%s", srcdir ? srcdir : ".",
		 fuzz.name);
	load_corpus(corpus);

	for (i = 0; i < fuzz.nr_seeds; i++)
		run_one(&fuzz.seeds[i]);

	work.data = malloc(fuzz.max_len);
	if (!work.data)
		abort();
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		for (int batch = 0; batch < 256; batch++, runs++) {
			if (fuzz.nr_seeds && rng() % 4) {
				const struct input *s = &fuzz.seeds[rng() % fuzz.nr_seeds];

				work.len = s->len < fuzz.max_len ? s->len : fuzz.max_len;
				memcpy(work.data, s->data, work.len);
			} else {
				work.len = rng() % 64;
				for (size_t j = 0; j < work.len; j++)
					work.data[j] = rng();
			}
			mutate(&work);
			run_one(&work);
		}
	}
	printf("fuzz: %s: %zu seeds, %lu mutated runs in %lu s (seed %lu)\n", fuzz.name,
	       fuzz.nr_seeds, runs, seconds, fuzz.seed);
	for (i = 0; i < fuzz.nr_seeds; i++)
		free(fuzz.seeds[i].data);
	free(fuzz.seeds);
	free(work.data);
	return 0;
}
