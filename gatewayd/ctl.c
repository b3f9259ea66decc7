/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: the control socket. */
#include "ctl.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

int ctl_open(const char *path, const char *group)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[PATH_MAX], *slash;
	gid_t gid = 0;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path) || strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	if (group) {
		struct group *gr = getgrnam(group);

		if (!gr)
			return -ENOENT;
		gid = gr->gr_gid;
	}
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path); /* a stale socket of a previous run */
	/*
	 * The socket is created with our own group; chown only to another one,
	 * which needs CAP_CHOWN (the systemd unit runs without it: Group=).
	 */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (group && gid != getegid() && chown(path, (uid_t)-1, gid) < 0) ||
	    chmod(path, 0660) < 0 || listen(fd, 16) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int ctl_accept(int lfd, int *ret_conn, uid_t *ret_uid, char *buf, size_t cap, size_t *ret_len)
{
	struct timeval tv = { .tv_sec = 1 };
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	ssize_t n;
	int c, r;

	c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
	    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		r = -errno;
		close(c);
		return r;
	}
	/* MSG_TRUNC: the message's real length, to refuse what does not fit. */
	n = recv(c, buf, cap, MSG_TRUNC);
	if (n < 0) {
		r = -errno;
		close(c);
		return r;
	}
	*ret_conn = c;
	*ret_uid = cred.uid;
	if ((size_t)n > cap)
		return -EMSGSIZE;
	*ret_len = (size_t)n;
	return 0;
}

void ctl_reply(int conn, const char *json)
{
	size_t len = strlen(json);
	int sz = (int)len + 4096;

	setsockopt(conn, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (send(conn, json, len, MSG_NOSIGNAL) < 0) {
		/* The client went away; nothing to tell it. */
	}
	close(conn);
}

void ctl_close(int lfd, const char *path)
{
	if (lfd >= 0)
		close(lfd);
	if (path)
		unlink(path);
}
