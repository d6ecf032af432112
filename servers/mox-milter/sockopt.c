/* SPDX-License-Identifier: MIT */
/*
 * sockopt.c -- TCP_NODELAY and TCP_QUICKACK on the milter's TCP
 * connections.
 *
 * The milter protocol is a conversation of small packets, and libmilter
 * writes each reply packet with its own write(2) (at the end of a message:
 * one per header added, then the verdict). On a TCP socket with Nagle's
 * algorithm the second small write waits for the ACK of the first, and
 * the MTA delays that ACK (delayed ACKs, 40 ms on Linux); the MTA's own
 * macro + command writes wait for ours the same way. Measured behind
 * Postfix with five SMTP sessions: about 170 ms added per message.
 *
 * libmilter gives no access to its sockets, so this file interposes the
 * two calls it makes on them: accept(2), to set TCP_NODELAY on every
 * accepted TCP connection and remember it, and read(2), to ask for a quick
 * ACK before each read from such a connection (Linux clears QUICKACK on
 * its own after a while). Symbols of the executable come first in the
 * dynamic link order, so libmilter's calls land here; everything else
 * goes straight to libc's functions. Unix sockets are left alone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "milter.h"

/* File descriptors below this are tracked; others only get NODELAY. */
#define TRACK_MAX 65536

static atomic_uchar quickack_fd[TRACK_MAX];
/* glibc declares accept() with __SOCKADDR_ARG (a transparent union under
 * _GNU_SOURCE, a plain struct sockaddr pointer otherwise). */
static int (*real_accept)(int, __SOCKADDR_ARG, socklen_t *restrict);
static ssize_t (*real_read)(int, void *, size_t);
static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;

static void
resolve(void)
{
	/* dlsym() returns void *; POSIX requires this conversion to a
	 * function pointer to work. */
	*(void **)&real_accept = dlsym(RTLD_NEXT, "accept");
	*(void **)&real_read = dlsym(RTLD_NEXT, "read");
}

int
accept(int fd, __SOCKADDR_ARG addr, socklen_t *restrict addrlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	int c, one = 1;

	pthread_once(&resolve_once, resolve);
	if (real_accept == NULL) {
		errno = ENOSYS;
		return -1;
	}
	c = real_accept(fd, addr, addrlen);
	if (c < 0)
		return c;
	if (getsockname(c, (struct sockaddr *)&ss, &sslen) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)) {
		(void)setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if (c < TRACK_MAX)
			atomic_store_explicit(&quickack_fd[c], 1,
			    memory_order_relaxed);
	} else if (c < TRACK_MAX) {
		atomic_store_explicit(&quickack_fd[c], 0,
		    memory_order_relaxed);
	}
	return c;
}

ssize_t
read(int fd, void *buf, size_t n)
{
	pthread_once(&resolve_once, resolve);
	if (real_read == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (fd >= 0 && fd < TRACK_MAX &&
	    atomic_load_explicit(&quickack_fd[fd], memory_order_relaxed)) {
		int one = 1;

		/* A descriptor reused for something else after its
		 * connection closed: forget it. */
		if (setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof(one)) != 0 && (errno == ENOTSOCK ||
		    errno == ENOPROTOOPT || errno == EOPNOTSUPP))
			atomic_store_explicit(&quickack_fd[fd], 0,
			    memory_order_relaxed);
	}
	return real_read(fd, buf, n);
}
