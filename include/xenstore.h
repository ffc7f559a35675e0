/*
 * xenstore.h: the XenStore client library (libxenstore), with Xen 4.17's
 * API: programs written for Xen's libxenstore build against it unchanged.
 * It also carries the helpers Xen keeps in xenstore_lib.h (permissions,
 * string and path helpers), so <xenstore.h> alone is enough.
 *
 * The library finds the daemon as Xen's does: $XENSTORED_PATH, else
 * $XENSTORED_RUNDIR/socket, else $XEN_RUN_DIR/xenstored/socket, else
 * /run/xenstored/socket.  All calls are thread safe.
 */
#ifndef XENSTORE_H
#define XENSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XBT_NULL 0

/* Following open flags are deprecated and ignored! */
#define XS_OPEN_READONLY (1UL << 0)
#define XS_OPEN_SOCKETONLY (1UL << 1)

/* Setting XS_UNWATCH_FILTER arranges that after xs_unwatch, no related
 * watch events will be returned by xs_read_watch. */
#define XS_UNWATCH_FILTER (1UL << 2)

struct xs_handle;
typedef uint32_t xs_transaction_t;

/* ---- xenstore_lib.h ---- */

#define XS_WRITE_NONE "NONE"
#define XS_WRITE_CREATE "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/* Max length of a string representing an unsigned int. */
#define MAX_STRLEN(x) ((sizeof(x) * 8 + 2) / 3 + 1)

enum xs_perm_type {
	XS_PERM_NONE = 0,
	XS_PERM_READ = 1,
	XS_PERM_WRITE = 2,
	/* Internal use. */
	XS_PERM_ENOENT_OK = 4,
	XS_PERM_OWNER = 8,
	XS_PERM_IGNORE = 16,
};

struct xs_permissions {
	unsigned int id;
	enum xs_perm_type perms;
};

/* Header of the node record in tdb (Xen's layout, for completeness). */
struct xs_tdb_record_hdr {
	uint64_t generation;
	uint32_t num_perms;
	uint32_t datalen;
	uint32_t childlen;
	struct xs_permissions perms[0];
};

const char *xs_daemon_rootdir(void);
const char *xs_daemon_rundir(void);
const char *xs_daemon_socket(void);
const char *xs_daemon_socket_ro(void);
const char *xs_domain_dev(void);
const char *xs_daemon_tdb(void);

/* Simple write function: loops for you. */
bool xs_write_all(int fd, const void *data, unsigned int len);

/* Convert strings to permissions.  False if a problem. */
bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings);

/* Convert permissions to a string (up to len MAX_STRLEN(unsigned int)+1). */
bool xs_perm_to_string(const struct xs_permissions *perm, char *buffer, size_t buf_len);

/* Given a string and a length, count how many strings (nul terms). */
unsigned int xs_count_strings(const char *strings, unsigned int len);

/* Sanitising (quoting) possibly-binary strings. */
struct expanding_buffer {
	char *buf;
	int avail;
};

/* Ensure that given expanding buffer has at least min_avail characters. */
char *expanding_buffer_ensure(struct expanding_buffer *, int min_avail);

/* sanitise_value() may return NULL if malloc fails. */
char *sanitise_value(struct expanding_buffer *, const char *val, unsigned len);

/* *out_len_r on entry is ignored; out must be at least strlen(in)+1 bytes. */
void unsanitise_value(char *out, unsigned *out_len_r, const char *in);

/* ---- xenstore.h ---- */

/* Returns a handle or NULL (errno set). */
struct xs_handle *xs_open(unsigned long flags);
/* Closes the connection; any watches or transactions are lost. */
void xs_close(struct xs_handle *xsh);

/* Deprecated: use xs_open/xs_close. */
struct xs_handle *xs_daemon_open(void);
struct xs_handle *xs_domain_open(void);
struct xs_handle *xs_daemon_open_readonly(void);
void xs_daemon_close(struct xs_handle *);
void xs_daemon_destroy_postfork(struct xs_handle *);

/* Get contents of a directory.  Returns a malloced array: call free() on
 * it after use.  Num indicates size.  NULL (errno set) on failure. */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num);

/* Get the value of a single file, nul terminated.  Returns a malloced
 * value: call free() on it after use.  len indicates length in bytes. */
void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len);

/* Write the value of a single file.  False on failure. */
bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
	      unsigned int len);

/* Create a new directory.  False on failure, or success if it exists. */
bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path);

/* Destroy a file or directory (and children).  False on failure, or
 * success if it doesn't exist. */
bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path);

/* Fake function which will always return false (required to let
 * libxenstore remain at 3.0 version). */
bool xs_restrict(struct xs_handle *h, unsigned domid);

/* Get permissions of node (first element is owner, first perms is "other").
 * Returns malloced array, or NULL: call free() after use. */
struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
					  unsigned int *num);

/* Set permissions of node (must be owner).  Returns false on failure. */
bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
			struct xs_permissions *perms, unsigned int num_perms);

/* Watch a node for changes (poll on fd to detect, or call read_watch()).
 * When the node (or any child) changes, fd will become readable.  Token is
 * returned when watch is read, to allow matching.  Returns false on
 * failure. */
bool xs_watch(struct xs_handle *h, const char *path, const char *token);

/* Return the FD to poll on to see if a watch has fired. */
int xs_fileno(struct xs_handle *h);

/* Check for node changes.  On success, returns a non-NULL pointer ret such
 * that ret[XS_WATCH_PATH] and ret[XS_WATCH_TOKEN] are the path and token.
 * Returns NULL (errno EAGAIN) if no event is pending; call free() on it. */
char **xs_check_watch(struct xs_handle *h);

/* Find out what node change was on (will block if nothing pending). */
char **xs_read_watch(struct xs_handle *h, unsigned int *num);

/* Remove a watch on a node: implicitly acks any outstanding watch. */
bool xs_unwatch(struct xs_handle *h, const char *path, const char *token);

/* Start a transaction: changes by others will not be seen during this
 * transaction, and changes will not be visible to others until end.
 * Returns XBT_NULL on failure. */
xs_transaction_t xs_transaction_start(struct xs_handle *h);

/* End a transaction.  If abandon is true, transaction is discarded
 * instead of committed.  Returns false on failure: if errno == EAGAIN,
 * you have to restart transaction. */
bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);

/* Introduce a new domain.  This tells the store daemon about a shared
 * memory page, event channel and store path associated with a domain: the
 * domain uses these to communicate. */
bool xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
			 unsigned int eventchn);

/* Set the target of a domain.  This tells the store daemon that a domain
 * is targeting another one, so it should let it tinker with it. */
bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target);

/* Resume a domain.  Clear the shutdown flag for this domain in the store. */
bool xs_resume_domain(struct xs_handle *h, unsigned int domid);

/* Release a domain.  Tells the store domain to release the memory page to
 * the domain. */
bool xs_release_domain(struct xs_handle *h, unsigned int domid);

/* Query the home path of a domain.  Call free() after use. */
char *xs_get_domain_path(struct xs_handle *h, unsigned int domid);

/* Returns true if child is either equal to parent, or a node underneath
 * parent; or false otherwise. */
bool xs_path_is_subpath(const char *parent, const char *child);

/* Return whether the domain specified has been introduced to xenstored. */
bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid);

char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);
/* Deprecated: use xs_control_command() instead. */
char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);

int xs_suspend_evtchn_port(int domid);

#ifdef __cplusplus
}
#endif

#endif /* XENSTORE_H */
