/*
 * Xen's public ABI: shared request/response rings between a frontend and a
 * backend (public/io/ring.h), as the blkif, netif and other split-driver
 * protocols define them.  kxen's own definition of the same layout and
 * macro names.
 *
 * A ring is one shared page: a header (req_prod, req_event, rsp_prod,
 * rsp_event, padding) and an array of union entries, a power of two of them.
 * Each side keeps private indexes (front: req_prod_pvt, rsp_cons; back:
 * rsp_prod_pvt, req_cons).  Producers publish with a write barrier; the
 * *_CHECK_NOTIFY macros say whether the other side asked to be notified
 * (its *_event index was passed), so an event channel send is skipped when
 * the peer is still polling.
 *
 * Indexes are free-running 32-bit counters; slot = index & (size - 1).
 * A backend must treat everything in the shared page as hostile: copy a
 * request out (RING_COPY_REQUEST) before checking it, and check
 * RING_REQUEST_CONS_OVERFLOW.
 */
#ifndef KXEN_XEN_IO_RING_H
#define KXEN_XEN_IO_RING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef xen_rmb
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef xen_wmb
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

typedef unsigned int RING_IDX;

/* Round a 32-bit unsigned constant down to the nearest power of two. */
#define __RD2(_x) (((_x)&0x00000002) ? 0x2 : ((_x)&0x1))
#define __RD4(_x) (((_x)&0x0000000c) ? __RD2((_x) >> 2) << 2 : __RD2(_x))
#define __RD8(_x) (((_x)&0x000000f0) ? __RD4((_x) >> 4) << 4 : __RD4(_x))
#define __RD16(_x) (((_x)&0x0000ff00) ? __RD8((_x) >> 8) << 8 : __RD8(_x))
#define __RD32(_x) (((_x)&0xffff0000) ? __RD16((_x) >> 16) << 16 : __RD16(_x))

/* Entries that fit in _sz bytes after the shared ring header. */
#define __CONST_RING_SIZE(_s, _sz)                          \
	(__RD32(((_sz)-offsetof(struct _s##_sring, ring)) / \
		sizeof(((struct _s##_sring *)0)->ring[0])))
#define __RING_SIZE(_s, _sz) \
	(__RD32(((_sz) - (long)(_s)->ring + (long)(_s)) / sizeof((_s)->ring[0])))

/*
 * DEFINE_RING_TYPES(name, request_t, response_t) defines
 * union name##_sring_entry, struct name##_sring (the shared page), and
 * struct name##_front_ring / name##_back_ring (each side's private view),
 * with typedefs name##_sring_t, name##_front_ring_t, name##_back_ring_t.
 */
#define DEFINE_RING_TYPES(__name, __req_t, __rsp_t)                       \
                                                                          \
	union __name##_sring_entry {                                      \
		__req_t req;                                              \
		__rsp_t rsp;                                              \
	};                                                                \
                                                                          \
	struct __name##_sring {                                           \
		RING_IDX req_prod, req_event;                             \
		RING_IDX rsp_prod, rsp_event;                             \
		uint8_t __pad[48];                                        \
		union __name##_sring_entry ring[1]; /* variable length */ \
	};                                                                \
                                                                          \
	struct __name##_front_ring {                                      \
		RING_IDX req_prod_pvt;                                    \
		RING_IDX rsp_cons;                                        \
		unsigned int nr_ents;                                     \
		struct __name##_sring *sring;                             \
	};                                                                \
                                                                          \
	struct __name##_back_ring {                                       \
		RING_IDX rsp_prod_pvt;                                    \
		RING_IDX req_cons;                                        \
		unsigned int nr_ents;                                     \
		struct __name##_sring *sring;                             \
	};                                                                \
                                                                          \
	typedef struct __name##_sring __name##_sring_t;                   \
	typedef struct __name##_front_ring __name##_front_ring_t;         \
	typedef struct __name##_back_ring __name##_back_ring_t

/* Initialise the shared page (the frontend does this once). */
#define SHARED_RING_INIT(_s)                                       \
	do {                                                       \
		(_s)->req_prod = (_s)->rsp_prod = 0;               \
		(_s)->req_event = (_s)->rsp_event = 1;             \
		(void)memset((_s)->__pad, 0, sizeof((_s)->__pad)); \
	} while (0)

#define FRONT_RING_ATTACH(_r, _s, _i, __size)            \
	do {                                             \
		(_r)->req_prod_pvt = (_i);               \
		(_r)->rsp_cons = (_i);                   \
		(_r)->nr_ents = __RING_SIZE(_s, __size); \
		(_r)->sring = (_s);                      \
	} while (0)

#define FRONT_RING_INIT(_r, _s, __size) FRONT_RING_ATTACH(_r, _s, 0, __size)

#define BACK_RING_ATTACH(_r, _s, _i, __size)             \
	do {                                             \
		(_r)->rsp_prod_pvt = (_i);               \
		(_r)->req_cons = (_i);                   \
		(_r)->nr_ents = __RING_SIZE(_s, __size); \
		(_r)->sring = (_s);                      \
	} while (0)

#define BACK_RING_INIT(_r, _s, __size) BACK_RING_ATTACH(_r, _s, 0, __size)

#define RING_SIZE(_r) ((_r)->nr_ents)

#define RING_FREE_REQUESTS(_r) (RING_SIZE(_r) - ((_r)->req_prod_pvt - (_r)->rsp_cons))

#define RING_FULL(_r) (RING_FREE_REQUESTS(_r) == 0)

#define RING_HAS_UNCONSUMED_RESPONSES(_r) ((_r)->sring->rsp_prod - (_r)->rsp_cons)

/* Requests the backend may take: never more than the ring holds. */
#define RING_HAS_UNCONSUMED_REQUESTS(_r)                                                  \
	({                                                                                \
		unsigned int req = (_r)->sring->req_prod - (_r)->req_cons;                \
		unsigned int rsp = RING_SIZE(_r) - ((_r)->req_cons - (_r)->rsp_prod_pvt); \
		req < rsp ? req : rsp;                                                    \
	})

#define RING_GET_REQUEST(_r, _idx) (&((_r)->sring->ring[((_idx) & (RING_SIZE(_r) - 1))].req))

#define RING_GET_RESPONSE(_r, _idx) (&((_r)->sring->ring[((_idx) & (RING_SIZE(_r) - 1))].rsp))

/*
 * Copy a request out of the shared page, in one read the other side
 * cannot change under us (backends check the copy, never the page).
 */
#define RING_COPY_REQUEST(_r, _idx, _req)                                         \
	do {                                                                      \
		*(_req) = *(volatile __typeof__(_req))RING_GET_REQUEST(_r, _idx); \
	} while (0)

#define RING_COPY_RESPONSE(_r, _idx, _rsp)                                         \
	do {                                                                       \
		*(_rsp) = *(volatile __typeof__(_rsp))RING_GET_RESPONSE(_r, _idx); \
	} while (0)

/* A frontend that pushed more requests than the ring holds. */
#define RING_REQUEST_CONS_OVERFLOW(_r, _cons) (((_cons) - (_r)->rsp_prod_pvt) >= RING_SIZE(_r))

#define RING_REQUEST_PROD_OVERFLOW(_r, _prod) (((_prod) - (_r)->rsp_prod_pvt) > RING_SIZE(_r))

#define RING_RESPONSE_PROD_OVERFLOW(_r, _prod) (((_prod) - (_r)->rsp_cons) > RING_SIZE(_r))

#define RING_PUSH_REQUESTS(_r)                                      \
	do {                                                        \
		xen_wmb(); /* the other side sees requests first */ \
		(_r)->sring->req_prod = (_r)->req_prod_pvt;         \
	} while (0)

#define RING_PUSH_RESPONSES(_r)                                      \
	do {                                                         \
		xen_wmb(); /* the other side sees responses first */ \
		(_r)->sring->rsp_prod = (_r)->rsp_prod_pvt;          \
	} while (0)

/*
 * Publish, and set _notify if the other side's event index lies in the
 * range just pushed: it asked to be woken for these.
 */
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(_r, _notify)                                          \
	do {                                                                                      \
		RING_IDX __old = (_r)->sring->req_prod;                                           \
		RING_IDX __new = (_r)->req_prod_pvt;                                              \
		xen_wmb();                                                                        \
		(_r)->sring->req_prod = __new;                                                    \
		xen_mb();                                                                         \
		(_notify) =                                                                       \
			((RING_IDX)(__new - (_r)->sring->req_event) < (RING_IDX)(__new - __old)); \
	} while (0)

#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(_r, _notify)                                         \
	do {                                                                                      \
		RING_IDX __old = (_r)->sring->rsp_prod;                                           \
		RING_IDX __new = (_r)->rsp_prod_pvt;                                              \
		xen_wmb();                                                                        \
		(_r)->sring->rsp_prod = __new;                                                    \
		xen_mb();                                                                         \
		(_notify) =                                                                       \
			((RING_IDX)(__new - (_r)->sring->rsp_event) < (RING_IDX)(__new - __old)); \
	} while (0)

/*
 * Before sleeping: ask to be notified of the next request, then look once
 * more, so a request pushed in between is not missed.
 */
#define RING_FINAL_CHECK_FOR_REQUESTS(_r, _work_to_do)            \
	do {                                                      \
		(_work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(_r); \
		if (_work_to_do)                                  \
			break;                                    \
		(_r)->sring->req_event = (_r)->req_cons + 1;      \
		xen_mb();                                         \
		(_work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(_r); \
	} while (0)

#define RING_FINAL_CHECK_FOR_RESPONSES(_r, _work_to_do)            \
	do {                                                       \
		(_work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(_r); \
		if (_work_to_do)                                   \
			break;                                     \
		(_r)->sring->rsp_event = (_r)->rsp_cons + 1;       \
		xen_mb();                                          \
		(_work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(_r); \
	} while (0)

#endif
