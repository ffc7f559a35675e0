/*
 * The privcmd socket server: accepts domain 0's clients on
 * $XEN_RUN_DIR/privcmd (0600), reads framed messages, runs them under
 * hv->lock, and replies.  Driven by the main loop's epoll.
 */
#ifndef XENHV_PRIVCMD_H
#define XENHV_PRIVCMD_H

#include <stdint.h>

#include "xenhv.h"

struct privcmd_conn;

struct privcmd_server {
	struct xenhv *hv;
	int epoll_fd;
	struct hv_watch listen;
	struct privcmd_conn *conns;
	unsigned int nr_conns;
	char *path;
};

int privcmd_server_open(struct privcmd_server *s, struct xenhv *hv, const char *path, int epoll_fd);
void privcmd_server_close(struct privcmd_server *s);

#endif
