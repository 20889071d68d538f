#ifndef TOLLGATE_CSHIMS_H
#define TOLLGATE_CSHIMS_H

// Linux interfaces that Swift's Glibc module does not export: epoll, eventfd, and the TCP options.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/tcp.h>

// epoll_event is packed on x86_64; these accessors keep its layout out of Swift.
static inline void tollgate_epoll_event_set(struct epoll_event *event, uint32_t events, int fd) {
    event->events = events;
    event->data.fd = fd;
}

static inline int tollgate_epoll_event_fd(const struct epoll_event *event) { return event->data.fd; }

static inline uint32_t tollgate_epoll_event_events(const struct epoll_event *event) { return event->events; }

// accept4 needs _GNU_SOURCE, which Swift does not define for Glibc.
int tollgate_accept4(int fd, int flags);

#endif
