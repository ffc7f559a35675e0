/*
 * watch.c: watches and their events.
 *
 * A change to a node fires every watch on that node or one of its
 * ancestors; removing a subtree also fires the watches set inside it, each
 * with its own path, as Xen's fire_watches does.  Special paths
 * (@introduceDomain, @releaseDomain) fire on domain changes and reach only
 * privileged connections or domains granted read on them with SET_PERMS.
 * An unprivileged watcher hears only of nodes it may read.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct xsd_special *xsd_special_find(struct xsd *xsd, const char *name)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (!strcmp(xsd->specials[i].name, name))
			return &xsd->specials[i];
	}
	return NULL;
}

int xsd_watch_add(struct xs_conn *conn, const char *path, const char *token,
		  bool relative)
{
	struct xs_watch *w;

	list_for_each_entry(w, &conn->watches, list) {
		if (!strcmp(w->path, path) && !strcmp(w->token, token))
			return EEXIST;
	}
	if (xsd_memory_charge(conn, XSD_WATCH_MEMORY(path, token), false))
		return ENOMEM;
	w = calloc(1, sizeof(*w));
	if (!w) {
		xsd_memory_charge(conn, -XSD_WATCH_MEMORY(path, token), true);
		return ENOMEM;
	}
	w->path = strdup(path);
	w->token = strdup(token);
	if (!w->path || !w->token) {
		xsd_memory_charge(conn, -XSD_WATCH_MEMORY(path, token), true);
		free(w->path);
		free(w->token);
		free(w);
		return ENOMEM;
	}
	w->relative = relative;
	list_add_tail(&w->list, &conn->watches);
	conn->nr_watches++;
	return 0;
}

static void watch_free(struct xs_conn *conn, struct xs_watch *w)
{
	list_del(&w->list);
	conn->nr_watches--;
	xsd_memory_charge(conn, -XSD_WATCH_MEMORY(w->path, w->token), true);
	free(w->path);
	free(w->token);
	free(w);
}

int xsd_watch_del(struct xs_conn *conn, const char *path, const char *token)
{
	struct xs_watch *w;

	list_for_each_entry(w, &conn->watches, list) {
		if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
			watch_free(conn, w);
			return 0;
		}
	}
	return ENOENT;
}

void xsd_watch_del_all(struct xs_conn *conn)
{
	struct xs_watch *w, *n;

	list_for_each_entry_safe(w, n, &conn->watches, list)
		watch_free(conn, w);
}

static void watch_send(struct xs_conn *conn, const struct xs_watch *w,
		       const char *path)
{
	size_t plen, tlen = strlen(w->token) + 1;
	char prefix[32], *ev;
	int n;

	if (w->relative) {
		n = snprintf(prefix, sizeof(prefix), "/local/domain/%u/",
			     conn->domid);
		if (!strncmp(path, prefix, n))
			path += n;
	}
	plen = strlen(path) + 1;
	ev = malloc(plen + tlen);
	if (!ev)
		return; /* spurious loss is allowed; a crash is not */
	memcpy(ev, path, plen);
	memcpy(ev + plen, w->token, tlen);
	xsd_send(conn, XS_WATCH_EVENT, 0, 0, ev, plen + tlen);
	free(ev);
}

void xsd_fire_watches(struct xsd *xsd, const char *path,
		      const struct xs_perm *perms, uint32_t nperms,
		      bool recursive)
{
	struct xsd_special *sp = NULL;
	struct xs_conn *conn;
	struct xs_watch *w;
	const char *event;

	if (path[0] == '@') {
		sp = xsd_special_find(xsd, path);
		if (!sp)
			return;
		perms = sp->perms;
		nperms = sp->nperms;
	}
	list_for_each_entry(conn, &xsd->conns, list) {
		if (!conn->privileged &&
		    !(xsd_perm_for_conn(conn, perms, nperms) & XSD_PERM_READ))
			continue;
		list_for_each_entry(w, &conn->watches, list) {
			event = NULL;
			if (sp) {
				if (!strcmp(w->path, path))
					event = path;
			} else if (w->path[0] != '@') {
				if (xs_path_is_below(w->path, path))
					event = path;
				else if (recursive &&
					 xs_path_is_below(path, w->path))
					event = w->path;
			}
			if (event)
				watch_send(conn, w, event);
		}
	}
}
