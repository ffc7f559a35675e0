/*
 * xs-libtest: exercises libxenstore (the shared library) against a running
 * xenstored named by XENSTORED_PATH: node calls, permissions, transactions
 * and their EAGAIN, watches through xs_fileno/xs_check_watch/xs_read_watch,
 * several threads on one handle, domain calls, CONTROL, and a directory
 * large enough to need DIRECTORY_PART.  Run by
 * tests/integration/xenstored-libxenstore.sh; prints "ok"/"FAIL" lines and
 * exits non-zero on failure.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

static int failures;

#define CHECK(what, cond)                                                 \
	do {                                                              \
		if (cond) {                                               \
			printf("ok   %s\n", what);                        \
		} else {                                                  \
			printf("FAIL %s (errno %d %s)\n", what, errno,    \
			       strerror(errno));                          \
			failures++;                                       \
		}                                                         \
	} while (0)

static bool read_is(struct xs_handle *h, xs_transaction_t t, const char *path,
		    const char *want)
{
	unsigned int len;
	char *v = xs_read(h, t, path, &len);
	bool ok = v && len == strlen(want) && !strcmp(v, want);

	free(v);
	return ok;
}

struct worker {
	struct xs_handle *h;
	int id;
	int errors;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char path[64], value[64];
	int i;

	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/threads/%d/%d", w->id, i % 10);
		snprintf(value, sizeof(value), "%d-%d", w->id, i);
		if (!xs_write(w->h, XBT_NULL, path, value, strlen(value)) ||
		    !read_is(w->h, XBT_NULL, path, value))
			w->errors++;
	}
	return NULL;
}

int main(void)
{
	struct xs_handle *h = xs_open(0), *h2 = xs_open(0);
	struct xs_permissions perms[2] = { { 0, XS_PERM_NONE },
					   { 5, XS_PERM_READ } }, *got;
	struct worker workers[4];
	pthread_t threads[4];
	unsigned int num, i;
	xs_transaction_t t;
	struct pollfd pfd;
	char **vec, *s, path[64];
	bool ok;
	int fd;

	if (!h || !h2) {
		perror("xs_open");
		return 1;
	}
	CHECK("write", xs_write(h, XBT_NULL, "/lib/a", "hello", 5));
	CHECK("read", read_is(h, XBT_NULL, "/lib/a", "hello"));
	CHECK("mkdir", xs_mkdir(h, XBT_NULL, "/lib/dir"));
	vec = xs_directory(h, XBT_NULL, "/lib", &num);
	CHECK("directory", vec && num == 2 && !strcmp(vec[0], "a") &&
				   !strcmp(vec[1], "dir"));
	free(vec);
	errno = 0;
	CHECK("read missing is ENOENT",
	      !xs_read(h, XBT_NULL, "/lib/none", NULL) && errno == ENOENT);
	CHECK("set perms", xs_set_permissions(h, XBT_NULL, "/lib/a", perms, 2));
	got = xs_get_permissions(h, XBT_NULL, "/lib/a", &num);
	CHECK("get perms", got && num == 2 && got[1].id == 5 &&
				   got[1].perms == XS_PERM_READ);
	free(got);
	CHECK("rm", xs_rm(h, XBT_NULL, "/lib/dir"));
	CHECK("rm missing ok", xs_rm(h, XBT_NULL, "/lib/dir"));

	/* Transactions: isolation, commit, and EAGAIN on a conflict. */
	t = xs_transaction_start(h);
	CHECK("transaction start", t != XBT_NULL);
	CHECK("write in tx", xs_write(h, t, "/lib/tx", "1", 1));
	CHECK("isolated", !xs_read(h2, XBT_NULL, "/lib/tx", NULL));
	CHECK("commit", xs_transaction_end(h, t, false));
	CHECK("committed", read_is(h2, XBT_NULL, "/lib/tx", "1"));
	t = xs_transaction_start(h);
	CHECK("read in tx", read_is(h, t, "/lib/tx", "1"));
	CHECK("write in tx 2", xs_write(h, t, "/lib/tx2", "x", 1));
	CHECK("concurrent write", xs_write(h2, XBT_NULL, "/lib/tx", "2", 1));
	errno = 0;
	ok = xs_transaction_end(h, t, false);
	CHECK("conflict gives EAGAIN", !ok && errno == EAGAIN);
	CHECK("nothing applied", !xs_read(h, XBT_NULL, "/lib/tx2", NULL));

	/* Watches. */
	CHECK("watch", xs_watch(h, "/lib/w", "tok"));
	fd = xs_fileno(h);
	CHECK("fileno", fd >= 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	CHECK("fd readable for initial event", poll(&pfd, 1, 5000) == 1);
	vec = xs_check_watch(h);
	CHECK("initial event", vec && !strcmp(vec[XS_WATCH_PATH], "/lib/w") &&
				       !strcmp(vec[XS_WATCH_TOKEN], "tok"));
	free(vec);
	errno = 0;
	CHECK("no more events", !xs_check_watch(h) && errno == EAGAIN);
	CHECK("write watched", xs_write(h2, XBT_NULL, "/lib/w/x", "1", 1));
	vec = xs_read_watch(h, &num);
	CHECK("read_watch", vec && num == 2 &&
				    !strcmp(vec[XS_WATCH_PATH], "/lib/w/x"));
	free(vec);
	CHECK("unwatch", xs_unwatch(h, "/lib/w", "tok"));

	/* Several threads share the handle (the reader thread runs now). */
	for (i = 0; i < 4; i++) {
		workers[i].h = h;
		workers[i].id = i;
		workers[i].errors = 0;
		pthread_create(&threads[i], NULL, worker_main, &workers[i]);
	}
	ok = true;
	for (i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		ok &= workers[i].errors == 0;
	}
	CHECK("threads", ok);

	/* Domains. */
	CHECK("introduce", xs_introduce_domain(h, 3, 1234, 5));
	CHECK("is introduced", xs_is_domain_introduced(h, 3));
	s = xs_get_domain_path(h, 3);
	CHECK("domain path", s && !strcmp(s, "/local/domain/3"));
	free(s);
	CHECK("introduce 4", xs_introduce_domain(h, 4, 1235, 6));
	CHECK("set target", xs_set_target(h, 4, 3));
	CHECK("resume", xs_resume_domain(h, 3));
	CHECK("release", xs_release_domain(h, 3));
	CHECK("released", !xs_is_domain_introduced(h, 3));
	CHECK("release 4", xs_release_domain(h, 4));
	s = xs_control_command(h, "help", NULL, 0);
	CHECK("control help", s && strstr(s, "quota"));
	free(s);

	/* A listing larger than one reply. */
	t = xs_transaction_start(h);
	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/lib/big/entry-%u", i);
		xs_write(h, t, path, "", 0);
	}
	CHECK("big commit", xs_transaction_end(h, t, false));
	vec = xs_directory(h, XBT_NULL, "/lib/big", &num);
	CHECK("big directory", vec && num == 1000 &&
				       !strcmp(vec[999], "entry-999"));
	free(vec);
	CHECK("subpath", xs_path_is_subpath("/a", "/a/b") &&
				 !xs_path_is_subpath("/a", "/ab"));
	xs_close(h2);
	xs_close(h);
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
