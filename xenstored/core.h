/*
 * core.h: the daemon's context, connections and the pieces the protocol
 * handlers share.  Nothing here knows about sockets or rings: a transport
 * creates a connection with an ops table (xs_conn_ops), feeds the bytes it
 * receives to xsd_conn_input(), and sends what the ops' send() queues.  So
 * the unit tests and the fuzzer drive the whole protocol in process.
 */
#ifndef XENSTORED_CORE_H
#define XENSTORED_CORE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <xen/io/xs_wire.h>

#include "list.h"
#include "store.h"

/* Quotas and limits, as data (Xen's C xenstored defaults). */
enum xsd_quota_id {
	XSD_Q_NODES,
	XSD_Q_WATCHES,
	XSD_Q_TRANSACTIONS,
	XSD_Q_OUTSTANDING,
	XSD_Q_TXN_NODES,
	XSD_Q_MEMORY,
	XSD_Q_NODE_SIZE,
	XSD_Q_PATH_MAX,
	XSD_Q_PERMISSIONS,
	XSD_Q_NR
};

struct xsd_quota {
	const char *name; /* as xenstore-control quota names it */
	const char *alias; /* as xenstored -Q names it */
	char option; /* short command-line option, or 0 */
	const char *descr;
	unsigned int val; /* 0 = no limit */
};

void xsd_quota_defaults(struct xsd_quota q[XSD_Q_NR]);
/* Finds a quota by either of its names; NULL if unknown. */
struct xsd_quota *xsd_quota_find(struct xsd_quota q[XSD_Q_NR],
				 const char *name);

struct xs_conn;

struct xsd_domain {
	struct list_head list;
	uint32_t domid;
	bool introduced;
	int64_t gfn;
	uint32_t port;
	bool has_target;
	uint32_t target;
	long nr_nodes; /* nodes it owns */
	long memory; /* bytes of the nodes it owns */
	/*
	 * Xen 4.17's other accounting: requests whose reply, or a watch
	 * event they caused, is not yet delivered (nboutstanding), and the
	 * memory of its watches, transactions and undelivered output.
	 */
	unsigned int nr_outstanding;
	long memory_other;
	bool stalled; /* reading stopped on a quota: resume when freed */
	struct xs_conn *conn; /* its ring connection, once live */
};

/* What one queued message costs until delivered (see xsd_send). */
struct xsd_charge {
	uint64_t end; /* conn->queued when the message is fully delivered */
	uint32_t bytes; /* memory_other of the connection's domain */
	uint32_t outstanding; /* domain charged one outstanding, or ~0 */
};

/*
 * How the daemon reaches a guest's ring.  Until the hypervisor provides
 * mapping and event channels (libxc), there is no backend and INTRODUCE
 * only records the domain.  A backend returns a connection for the domain
 * or NULL with errno set.
 */
struct xsd_ring_backend {
	struct xs_conn *(*connect)(void *ctx, struct xsd_domain *dom);
	void (*disconnect)(void *ctx, struct xs_conn *conn);
	void *ctx;
};

struct xs_watch {
	struct list_head list;
	char *path; /* absolute, or "@introduceDomain"... */
	char *token;
	bool relative; /* strip the domain's home from event paths */
};

struct xs_conn_txn {
	struct list_head list;
	uint32_t id;
	long memory; /* charged to the connection's domain */
	struct xs_txn txn;
};

struct xs_conn_ops {
	/* Queue one message (header + hdr->len payload bytes). */
	int (*send)(struct xs_conn *conn, const struct xsd_sockmsg *hdr,
		    const void *payload);
	/* Bytes queued but not yet delivered. */
	size_t (*pending)(struct xs_conn *conn);
	/* Frees the transport with the connection (optional). */
	void (*destroy)(struct xs_conn *conn);
	/* Reads what waited while the domain was over a quota (optional). */
	void (*resume)(struct xs_conn *conn);
};

struct xs_conn {
	struct list_head list;
	struct xsd *xsd;
	const struct xs_conn_ops *ops;
	void *transport;
	unsigned long serial;
	uint32_t domid;
	bool privileged;
	struct xsd_domain *domain;
	struct list_head watches;
	unsigned int nr_watches;
	struct list_head txns;
	unsigned int nr_txns;
	uint32_t next_txid;
	/* Delivery accounting: bytes ever queued, and the charges of the
	 * messages not yet delivered, oldest first. */
	uint64_t queued;
	struct xsd_charge *charges;
	size_t charge_head, nr_charges, charge_cap;
	/* The request being assembled. */
	struct xsd_sockmsg hdr;
	size_t hdr_have;
	char payload[XENSTORE_PAYLOAD_MAX + 1];
	size_t payload_have;
};

#define XSD_SPECIAL_INTRODUCE "@introduceDomain"
#define XSD_SPECIAL_RELEASE "@releaseDomain"

struct xsd_special {
	const char *name;
	struct xs_perm perms[16];
	uint32_t nperms;
};

struct xsd {
	struct xs_store store;
	struct list_head conns;
	struct list_head domains;
	struct xsd_quota quota[XSD_Q_NR];
	struct xsd_quota quota_soft[XSD_Q_NR];
	struct xsd_special specials[2];
	struct xsd_ring_backend ring;
	unsigned long next_serial;
	/* The domain whose request is being processed (its watch events
	 * keep it outstanding), or ~0. */
	uint32_t cur_domid;
	bool resume_pending; /* a stalled domain may go on */
	FILE *trace; /* -T */
	char *trace_path;
	FILE *log; /* XEN_LOG_DIR/xenstored.log, or NULL */
	char *log_path;
	/* Set from SIGHUP: reopen the log and trace files (logrotate). */
	volatile int *reopen_logs;
	bool log_stderr; /* in the foreground: also to stderr */
	bool verbose;
	/* Set by CONTROL live-update; the main loop acts on it. */
	bool quit;
	struct xsd_persist *persist; /* crash survival, or NULL */
	bool recovered; /* the store was reloaded after a crash */
	struct xs_store_hooks hooks;
	/* Live update (CONTROL live-update): the new binary and command
	 * line, and the request to answer from the new daemon. */
	char *lu_binary;
	char *lu_cmdline;
	bool lu_pending;
	unsigned long lu_conn;
	struct xsd_sockmsg lu_req;
	int argc;
	char **argv;
};

int xsd_init(struct xsd *xsd);
void xsd_dispose(struct xsd *xsd);
void xsd_log(struct xsd *xsd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void xsd_reopen_logs(struct xsd *xsd);

struct xs_conn *xsd_conn_new(struct xsd *xsd, const struct xs_conn_ops *ops,
			     void *transport, uint32_t domid);
void xsd_conn_free(struct xs_conn *conn);
/* Frees conn through its transport when it has one (ops->destroy). */
void xsd_conn_destroy(struct xs_conn *conn);
/*
 * Feeds received bytes.  Returns the number consumed (fewer than len when
 * the connection should wait until its replies drain), or -errno when the
 * connection must be closed (oversized payload).
 */
long xsd_conn_input(struct xs_conn *conn, const void *data, size_t len);
/* False while a client has too many undelivered replies. */
bool xsd_conn_may_read(struct xs_conn *conn);
/* The transport delivered bytes: release what they were charged. */
void xsd_conn_delivered(struct xs_conn *conn);
/* Resumes the domains a release brought back under their quotas. */
void xsd_domains_resume(struct xsd *xsd);
/* Memory charged to a domain (nodes, watches, transactions, output). */
long xsd_domain_memory(const struct xsd_domain *d);
/* Charges memory_other of conn's domain; refused over the hard quota
 * (ENOMEM, as Xen) unless force. */
int xsd_memory_charge(struct xs_conn *conn, long bytes, bool force);
/* quota.c internals shared with xsd_send and xsd_conn_free. */
int xsd_charge_push(struct xs_conn *conn, uint32_t type, size_t size);
void xsd_charge_pop_last(struct xs_conn *conn);
void xsd_conn_charges_free(struct xs_conn *conn);
bool xsd_quota_may_read(struct xs_conn *conn);
/* Memory a watch and a transaction are charged (quota.c's comment). */
#define XSD_TXN_MEMORY 128
#define XSD_WATCH_MEMORY(path, token) ((long)(strlen(path) + strlen(token)))
int xsd_send(struct xs_conn *conn, uint32_t type, uint32_t req_id,
	     uint32_t tx_id, const void *data, uint32_t len);
int xsd_send_error(struct xs_conn *conn, const struct xsd_sockmsg *req,
		   int err);

/* Quota checks: true if conn is over limit id with value val. */
bool xsd_over_quota(struct xs_conn *conn, enum xsd_quota_id id,
		    unsigned long val);
bool xsd_conn_is_unprivileged(const struct xs_conn *conn);

/* Permissions (perm.c). */
unsigned int xsd_perm_for_conn(const struct xs_conn *conn,
			       const struct xs_perm *perms, uint32_t nperms);
int xsd_perms_parse(const char *strings, size_t len, struct xs_perm **perms,
		    uint32_t *nperms);
int xsd_perms_format(const struct xs_perm *perms, uint32_t nperms, char *buf,
		     size_t len);

/* Watches (watch.c). */
void xsd_fire_watches(struct xsd *xsd, const char *path,
		      const struct xs_perm *perms, uint32_t nperms,
		      bool recursive);
int xsd_watch_add(struct xs_conn *conn, const char *path, const char *token,
		  bool relative);
int xsd_watch_del(struct xs_conn *conn, const char *path, const char *token);
void xsd_watch_del_all(struct xs_conn *conn);
struct xsd_special *xsd_special_find(struct xsd *xsd, const char *name);

/* Domains (domain.c). */
struct xsd_domain *xsd_domain_find(struct xsd *xsd, uint32_t domid);
struct xsd_domain *xsd_domain_get(struct xsd *xsd, uint32_t domid);
int xsd_domain_introduce(struct xsd *xsd, uint32_t domid, int64_t gfn,
			 uint32_t port);
int xsd_domain_release(struct xsd *xsd, uint32_t domid);
bool xsd_domain_is_introduced(struct xsd *xsd, uint32_t domid);
void xsd_domain_hooks(struct xs_store_hooks *hooks);

/* Crash survival (persist.c): journal + snapshot in dir. */
void xsd_persist_hooks(struct xs_store_hooks *hooks);
int xsd_persist_open(struct xsd *xsd, const char *dir, bool load);
void xsd_persist_maybe_compact(struct xsd *xsd);
void xsd_persist_close(struct xsd *xsd, bool clean);

/* CONTROL (control.c): returns 0 after replying, or a positive errno. */
int xsd_do_control(struct xs_conn *conn, const struct xsd_sockmsg *req,
		   const char *payload);

/* Names of message types for traces. */
const char *xsd_type_name(uint32_t type);

#endif
