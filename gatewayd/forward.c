/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: the firewall log to the log server, RFC 5424 over TCP or TLS (LOG-9). */
#include "forward.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "log.h"
#include "syslog5424.h"
#include "util.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define CONNECT_TIMEOUT_MS 10000
#define ACK_CHECK_MS 200        /* acknowledgements come without a poll event */
#define SAVE_EVERY_MS 1000      /* the cursor, when it moved */
#define RESOLVE_CHECK_MS 50
#define READ_EVERY_MS 1000      /* unannounced records, a day file's end */
/*
 * Plaintext bytes sent and not yet acknowledged: more than a socket's send
 * buffer grows to (net.ipv4.tcp_wmem: 4 MiB), so that the socket, not the
 * window, holds the sender back and POLLOUT wakes it as acknowledgements
 * free space. It bounds the queue of records in flight.
 */
#define WINDOW (16u << 20)
#define UNSENT_MAX (256u << 10) /* frames made and not yet written */
#define READ_CHUNK (256u << 10) /* longer than any record line */
/*
 * A day file is left for the next one only this long after its day ended:
 * a record stamped just before midnight may be written a moment after it.
 */
#define DAY_GRACE_S 10

enum fw_state { FW_WAIT, FW_RESOLVE, FW_CONNECT, FW_HANDSHAKE, FW_UP };
static const char *const state_names[] = { "waiting", "resolving", "connecting", "handshake",
					   "connected" };

/* A place in the day files: the byte @off of DIR/fw-@day.jsonl. */
struct pos {
	char day[11]; /* "YYYY-MM-DD"; "" before the first */
	uint64_t off;
};

/* A record sent and not yet acknowledged. */
struct inflight {
	struct pos end;     /* just after its line */
	uint64_t plain_end; /* the stream's plaintext offset after its frame */
	uint64_t mark;      /* socket bytes once all of it was written; 0 before */
};

struct forward {
	struct log_forward cfg; /* strings owned */
	char kind[16];          /* the day files' kind: "fw", "incident", "summary" */
	char *log_dir, *cursor_path;
	char hostname[SYSLOG5424_HOSTNAME_MAX + 1];
	char port[12];
	unsigned long pid;

	enum fw_state state;
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	struct gaicb gai, *gaip;
	struct addrinfo hints, *ai, *ai_next;
	int64_t due_ms;         /* retry, resolve check or connect timeout */
	int64_t backoff_ms;

	struct pos acked;       /* everything before it reached the server's TCP */
	struct pos saved;       /* what the cursor file holds */
	int64_t save_due_ms;
	int64_t read_due_ms;

	struct pos rd;          /* where reading continues */
	int rfd;
	char *rbuf;
	struct strbuf ob;       /* frames to write; ob_off of them written */
	size_t ob_off, tls_len; /* tls_len: an SSL_write to repeat as it was */
	uint64_t plain_queued, plain_sent, plain_acked, sock_written;
	struct inflight *q;
	size_t q_head, q_len, q_cap, q_marked;
	bool kicked;

	uint64_t acked_records, failures;
	int64_t last_acked_s;
	char last_error[256];
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* ---- the day files ------------------------------------------------------ */

static bool day_name(const char *kind, const char *name, char day[11])
{
	size_t k = strlen(kind);
	int64_t t;

	if (strlen(name) != k + 17 || strncmp(name, kind, k) || name[k] != '-' ||
	    strcmp(name + k + 11, ".jsonl"))
		return false;
	memcpy(day, name + k + 1, 10);
	day[10] = '\0';
	return time_parse(day, &t) == 0;
}

/*
 * The first day file's day after @after ("" for the oldest), or the last
 * one's when @last; false when there is none.
 */
static bool find_day(const char *dir, const char *kind, const char *after, bool last,
		     char ret[11])
{
	struct dirent *de;
	DIR *dh = opendir(dir);
	bool found = false;

	if (!dh)
		return false;
	while ((de = readdir(dh))) {
		char d[11];

		if (!day_name(kind, de->d_name, d) || strcmp(d, after) <= 0)
			continue;
		if (!found || (last ? strcmp(d, ret) > 0 : strcmp(d, ret) < 0)) {
			memcpy(ret, d, 11);
			found = true;
		}
	}
	closedir(dh);
	return found;
}

static void day_path(const struct forward *fw, const char *day, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s-%s.jsonl", fw->log_dir, fw->kind, day);
}

/* ---- the cursor --------------------------------------------------------- */

static int cursor_load(struct forward *fw)
{
	char buf[64], day[11];
	unsigned long long off;
	int64_t t;
	FILE *f = fopen(fw->cursor_path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%10s %llu", day, &off) != 2 ||
	    time_parse(day, &t)) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	memcpy(fw->acked.day, day, 11);
	fw->acked.off = off;
	fw->saved = fw->acked;
	return 0;
}

/* Written whole or not at all: a temporary file, fsync, rename. */
static int cursor_save(struct forward *fw)
{
	char tmp[PATH_MAX], buf[64];
	int fd, n, r = 0;

	if (!fw->acked.day[0] || (!strcmp(fw->acked.day, fw->saved.day) &&
				  fw->acked.off == fw->saved.off))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", fw->cursor_path);
	n = snprintf(buf, sizeof(buf), "%s %llu\n", fw->acked.day,
		     (unsigned long long)fw->acked.off);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)n) != n || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, fw->cursor_path) < 0)
		r = -errno;
	if (r) {
		unlink(tmp);
		return r;
	}
	fw->saved = fw->acked;
	return 0;
}

/*
 * Where reading starts: at the cursor; if retention removed its day file, at
 * the next one (the days between are lost, and said so); without a cursor,
 * at the start of the newest day file, so that turning forwarding on does not
 * send a year of old records.
 */
static void cursor_start(struct forward *fw)
{
	char path[PATH_MAX], next[11];
	struct stat st;
	int r = cursor_load(fw);

	if (r == -EINVAL)
		log_error("forward: cursor '%s' unreadable; starting at the newest day file",
			  fw->cursor_path);
	if (r) {
		if (!find_day(fw->log_dir, fw->kind, "", true, fw->acked.day))
			date_format(wall_s(), fw->acked.day, sizeof(fw->acked.day));
		fw->acked.off = 0;
		log_info("forward: no cursor; starting at the day file of %s", fw->acked.day);
	}
	day_path(fw, fw->acked.day, path, sizeof(path));
	if (stat(path, &st) < 0 && errno == ENOENT && find_day(fw->log_dir, fw->kind, fw->acked.day, false, next)) {
		int64_t a = 0, b = 0;

		time_parse(fw->acked.day, &a);
		time_parse(next, &b);
		log_error("forward: the cursor's day file %s was removed (retention) before it "
			  "was sent; continuing at %s, %lld day(s) skipped (LOG-9)",
			  fw->acked.day, next, (long long)((b - a) / DAY_SECONDS));
		memcpy(fw->acked.day, next, 11);
		fw->acked.off = 0;
	} else if (r == 0 && stat(path, &st) == 0 && (uint64_t)st.st_size < fw->acked.off) {
		log_error("forward: %s is shorter than the cursor (%llu bytes); sending it from "
			  "its start",
			  path, (unsigned long long)fw->acked.off);
		fw->acked.off = 0;
	}
	fw->rd = fw->acked;
}

/* ---- the connection ----------------------------------------------------- */

static void set_error(struct forward *fw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct forward *fw, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fw->last_error, sizeof(fw->last_error), fmt, ap);
	va_end(ap);
}

static void ssl_error(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();

	if (e)
		ERR_error_string_n(e, buf, size);
	else
		snprintf(buf, size, "%s", errno ? strerror(errno) : "connection closed");
	ERR_clear_error();
}

/* Moves the cursor over the records the server's TCP acknowledged. */
static void check_acks(struct forward *fw)
{
	int outq = 0;

	if (fw->fd < 0 || fw->state != FW_UP || ioctl(fw->fd, SIOCOUTQ, &outq) < 0 || outq < 0)
		return;
	/* TLS writes records of its own too (alerts, key updates): count them all. */
	if (fw->ssl)
		fw->sock_written = BIO_number_written(SSL_get_wbio(fw->ssl));
	/*
	 * SIOCOUTQ is the kernel's write_seq - snd_una: bytes written and not
	 * acknowledged. It stays right after a reset (the queue is purged,
	 * the sequence numbers are not), so it is asked once more at a failure.
	 */
	while (fw->q_len && fw->q_marked) {
		struct inflight *e = &fw->q[fw->q_head];

		if (e->mark > fw->sock_written - (uint64_t)outq)
			break;
		fw->acked = e->end;
		fw->plain_acked = e->plain_end;
		fw->acked_records++;
		fw->last_acked_s = wall_s();
		fw->q_head++;
		fw->q_len--;
		fw->q_marked--;
	}
	if (!fw->q_len)
		fw->q_head = 0;
}

static void drop_connection(struct forward *fw)
{
	if (fw->ssl)
		SSL_free(fw->ssl);
	fw->ssl = NULL;
	if (fw->ctx)
		SSL_CTX_free(fw->ctx);
	fw->ctx = NULL;
	if (fw->fd >= 0)
		close(fw->fd);
	fw->fd = -1;
	if (fw->ai)
		freeaddrinfo(fw->ai);
	fw->ai = fw->ai_next = NULL;
	if (fw->gaip) {
		if (gai_cancel(fw->gaip) == EAI_NOTCANCELED)
			gai_suspend((const struct gaicb *const[]){ fw->gaip }, 1, NULL);
		if (fw->gai.ar_result)
			freeaddrinfo(fw->gai.ar_result);
		memset(&fw->gai, 0, sizeof(fw->gai));
		fw->gaip = NULL;
	}
	/* Sending resumes at the first record not acknowledged. */
	fw->q_head = fw->q_len = fw->q_marked = 0;
	fw->ob.len = fw->ob_off = fw->tls_len = 0;
	fw->plain_queued = fw->plain_sent = fw->plain_acked = fw->sock_written = 0;
	fw->rd = fw->acked;
	if (fw->rfd >= 0)
		close(fw->rfd);
	fw->rfd = -1;
}

static void fail(struct forward *fw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct forward *fw, const char *fmt, ...)
{
	va_list ap;

	check_acks(fw);
	va_start(ap, fmt);
	vsnprintf(fw->last_error, sizeof(fw->last_error), fmt, ap);
	va_end(ap);
	fw->failures++;
	log_error("forward: %s:%s: %s; retrying in %llds (LOG-9, LOG-24)", fw->cfg.server,
		  fw->port, fw->last_error, (long long)(fw->backoff_ms / 1000));
	drop_connection(fw);
	fw->state = FW_WAIT;
	fw->due_ms = mono_ms() + fw->backoff_ms;
	fw->backoff_ms = fw->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : fw->backoff_ms * 2;
}

static void start_resolve(struct forward *fw)
{
	int r;

	fw->pid = (unsigned long)getpid(); /* after daemon()'s fork */
	memset(&fw->hints, 0, sizeof(fw->hints));
	fw->hints.ai_socktype = SOCK_STREAM;
	fw->hints.ai_flags = AI_ADDRCONFIG;
	/* An address needs no resolver. */
	fw->hints.ai_flags |= AI_NUMERICHOST;
	if (getaddrinfo(fw->cfg.server, fw->port, &fw->hints, &fw->ai) == 0) {
		fw->ai_next = fw->ai;
		fw->state = FW_CONNECT;
		fw->due_ms = 0;
		return;
	}
	fw->ai = NULL;
	fw->hints.ai_flags &= ~AI_NUMERICHOST;
	memset(&fw->gai, 0, sizeof(fw->gai));
	fw->gai.ar_name = fw->cfg.server;
	fw->gai.ar_service = fw->port;
	fw->gai.ar_request = &fw->hints;
	fw->gaip = &fw->gai;
	r = getaddrinfo_a(GAI_NOWAIT, &fw->gaip, 1, NULL);
	if (r) {
		fw->gaip = NULL;
		fail(fw, "resolving: %s", gai_strerror(r));
		return;
	}
	fw->state = FW_RESOLVE;
	fw->due_ms = mono_ms() + RESOLVE_CHECK_MS;
}

static void check_resolve(struct forward *fw)
{
	int r = gai_error(fw->gaip);

	if (r == EAI_INPROGRESS) {
		fw->due_ms = mono_ms() + RESOLVE_CHECK_MS;
		return;
	}
	fw->gaip = NULL;
	if (r) {
		if (fw->gai.ar_result)
			freeaddrinfo(fw->gai.ar_result);
		memset(&fw->gai, 0, sizeof(fw->gai));
		fail(fw, "resolving: %s", gai_strerror(r));
		return;
	}
	fw->ai = fw->ai_next = fw->gai.ar_result;
	memset(&fw->gai, 0, sizeof(fw->gai));
	fw->state = FW_CONNECT;
	fw->due_ms = 0;
}

static bool start_tls(struct forward *fw)
{
	char err[256];
	struct in6_addr a6;
	struct in_addr a4;
	bool is_ip = inet_pton(AF_INET, fw->cfg.server, &a4) == 1 ||
		     inet_pton(AF_INET6, fw->cfg.server, &a6) == 1;

	ERR_clear_error();
	/* Made at each connection, so a renewed CA or client certificate is taken. */
	fw->ctx = SSL_CTX_new(TLS_client_method());
	if (!fw->ctx || !SSL_CTX_set_min_proto_version(fw->ctx, TLS1_2_VERSION))
		goto bad;
	if (!SSL_CTX_load_verify_locations(fw->ctx, fw->cfg.ca, NULL)) {
		ssl_error(err, sizeof(err));
		fail(fw, "TLS: CA file '%s': %s", fw->cfg.ca, err);
		return false;
	}
	if (fw->cfg.cert && (!SSL_CTX_use_certificate_chain_file(fw->ctx, fw->cfg.cert) ||
			     !SSL_CTX_use_PrivateKey_file(fw->ctx, fw->cfg.key, SSL_FILETYPE_PEM) ||
			     !SSL_CTX_check_private_key(fw->ctx))) {
		ssl_error(err, sizeof(err));
		fail(fw, "TLS: client certificate '%s' or key '%s': %s", fw->cfg.cert, fw->cfg.key,
		     err);
		return false;
	}
	/* The server's certificate must chain to the CA and name the server. */
	SSL_CTX_set_verify(fw->ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_mode(fw->ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	fw->ssl = SSL_new(fw->ctx);
	if (!fw->ssl || !SSL_set_fd(fw->ssl, fw->fd))
		goto bad;
	if (is_ip ? !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(fw->ssl), fw->cfg.server)
		  : !SSL_set1_host(fw->ssl, fw->cfg.server) ||
			    !SSL_set_tlsext_host_name(fw->ssl, fw->cfg.server))
		goto bad;
	fw->state = FW_HANDSHAKE;
	return true;
bad:
	ssl_error(err, sizeof(err));
	fail(fw, "TLS: %s", err);
	return false;
}

static void up(struct forward *fw)
{
	fw->state = FW_UP;
	fw->backoff_ms = BACKOFF_MIN_MS;
	log_info("forward: connected to %s:%s%s; sending from %s offset %llu (LOG-9)",
		 fw->cfg.server, fw->port, fw->ssl ? " (TLS, server certificate verified)" : "",
		 fw->acked.day, (unsigned long long)fw->acked.off);
	fw->last_error[0] = '\0';
	fw->kicked = true;
}

static void handshake(struct forward *fw)
{
	char err[256];
	int r;

	ERR_clear_error();
	errno = 0;
	r = SSL_connect(fw->ssl);
	if (r == 1) {
		up(fw);
		return;
	}
	switch (SSL_get_error(fw->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return;
	default:
		if (SSL_get_verify_result(fw->ssl) != X509_V_OK) {
			fail(fw, "TLS: the server's certificate was refused: %s; nothing is sent",
			     X509_verify_cert_error_string(SSL_get_verify_result(fw->ssl)));
			return;
		}
		ssl_error(err, sizeof(err));
		fail(fw, "TLS handshake: %s", err);
	}
}

static void start_connect(struct forward *fw)
{
	while (fw->ai_next) {
		struct addrinfo *a = fw->ai_next;

		fw->ai_next = a->ai_next;
		fw->fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				a->ai_protocol);
		if (fw->fd < 0)
			continue;
		if (connect(fw->fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
			fw->due_ms = mono_ms() + CONNECT_TIMEOUT_MS;
			return;
		}
		set_error(fw, "connect: %s", strerror(errno));
		close(fw->fd);
		fw->fd = -1;
	}
	{
		char why[sizeof(fw->last_error)];

		snprintf(why, sizeof(why), "%s",
			 fw->last_error[0] ? fw->last_error : "no address to connect to");
		fail(fw, "%s", why);
	}
}

static void connected(struct forward *fw)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fw->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		set_error(fw, "connect: %s", strerror(err));
		close(fw->fd);
		fw->fd = -1;
		start_connect(fw);
		return;
	}
	freeaddrinfo(fw->ai);
	fw->ai = fw->ai_next = NULL;
	if (fw->cfg.tls) {
		if (start_tls(fw))
			handshake(fw);
		return;
	}
	up(fw);
}

/* ---- reading and sending ------------------------------------------------ */

static bool push_record(struct forward *fw, const struct pos *end)
{
	struct inflight *e;

	if (fw->q_head + fw->q_len == fw->q_cap) {
		if (fw->q_head) {
			memmove(fw->q, fw->q + fw->q_head, fw->q_len * sizeof(*fw->q));
			fw->q_head = 0;
		} else {
			size_t cap = fw->q_cap ? fw->q_cap * 2 : 1024;
			struct inflight *q = realloc(fw->q, cap * sizeof(*q));

			if (!q)
				return false;
			fw->q = q;
			fw->q_cap = cap;
		}
	}
	e = &fw->q[fw->q_head + fw->q_len++];
	e->end = *end;
	e->plain_end = fw->plain_queued;
	e->mark = 0;
	return true;
}

/* Leaves a read-out day file for the next one once its day is surely over. */
static bool next_day(struct forward *fw)
{
	char next[11];
	int64_t start;

	if (!find_day(fw->log_dir, fw->kind, fw->rd.day, false, next) || time_parse(fw->rd.day, &start) ||
	    wall_s() < start + DAY_SECONDS + DAY_GRACE_S)
		return false;
	if (fw->rfd >= 0)
		close(fw->rfd);
	fw->rfd = -1;
	memcpy(fw->rd.day, next, 11);
	fw->rd.off = 0;
	return true;
}

/* Reads whole lines after fw->rd into frames, within the window. */
static void fill(struct forward *fw)
{
	/* LOG-21: an incident is an alert to whoever watches the server. */
	struct syslog5424_header h = { fw->cfg.facility, fw->hostname, fw->pid, fw->kind,
				       !strcmp(fw->kind, "incident"), 1 };

	while (fw->plain_queued - fw->plain_acked < WINDOW && fw->ob.len - fw->ob_off < UNSENT_MAX) {
		char path[PATH_MAX];
		size_t used = 0;
		ssize_t n;

		if (fw->rfd < 0) {
			day_path(fw, fw->rd.day, path, sizeof(path));
			fw->rfd = open(path, O_RDONLY | O_CLOEXEC);
			if (fw->rfd < 0) {
				if (errno != ENOENT)
					set_error(fw, "%s: %s", path, strerror(errno));
				if (!next_day(fw))
					return;
				continue;
			}
		}
		n = pread(fw->rfd, fw->rbuf, READ_CHUNK, (off_t)fw->rd.off);
		if (n < 0) {
			set_error(fw, "reading the day file %s: %s", fw->rd.day, strerror(errno));
			return;
		}
		while ((size_t)n > used && fw->plain_queued - fw->plain_acked < WINDOW &&
		       fw->ob.len - fw->ob_off < UNSENT_MAX) {
			char *line = fw->rbuf + used, *nl = memchr(line, '\n', (size_t)n - used);
			size_t len;

			if (!nl)
				break;
			len = (size_t)(nl - line);
			used += len + 1;
			fw->rd.off += len + 1;
			if (!len)
				continue;
			if (syslog5424_frame(&h, line, len, &fw->ob)) {
				if (fw->ob.oom)
					return; /* the record is read again after a failure */
				log_error("forward: %s offset %llu: a line with a NUL byte, skipped",
					  fw->rd.day, (unsigned long long)(fw->rd.off - len - 1));
				continue;
			}
			fw->plain_queued = fw->plain_sent + (fw->ob.len - fw->ob_off);
			if (!push_record(fw, &fw->rd))
				return;
		}
		if (used)
			continue;
		if (n == (ssize_t)READ_CHUNK) {
			log_error("forward: %s offset %llu: a line longer than %u bytes, skipped",
				  fw->rd.day, (unsigned long long)fw->rd.off, READ_CHUNK);
			fw->rd.off += READ_CHUNK;
			continue;
		}
		/* At the end of the file, or of its last whole line. */
		if (!next_day(fw))
			return;
	}
}

/* Gives written records their socket byte count (the mark SIOCOUTQ is compared to). */
static void mark_written(struct forward *fw)
{
	while (fw->q_marked < fw->q_len) {
		struct inflight *e = &fw->q[fw->q_head + fw->q_marked];

		if (e->plain_end > fw->plain_sent)
			break;
		e->mark = fw->sock_written;
		fw->q_marked++;
	}
}

/* Writes what the socket takes; false after a failure. */
static bool flush(struct forward *fw)
{
	while (fw->ob_off < fw->ob.len) {
		size_t left = fw->ob.len - fw->ob_off;
		ssize_t n;

		if (!fw->ssl) {
			n = send(fw->fd, fw->ob.buf + fw->ob_off, left, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				fail(fw, "send: %s", strerror(errno));
				return false;
			}
			fw->sock_written += (uint64_t)n;
		} else {
			char err[256];
			int r;

			/* Whole frames in records of up to 16 KiB; a retry repeats its length. */
			if (!fw->tls_len)
				fw->tls_len = left < 16384 ? left : 16384;
			ERR_clear_error();
			errno = 0;
			r = SSL_write(fw->ssl, fw->ob.buf + fw->ob_off, (int)fw->tls_len);
			if (r <= 0) {
				int e = SSL_get_error(fw->ssl, r);

				if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ)
					break;
				ssl_error(err, sizeof(err));
				fail(fw, "TLS write: %s", err);
				return false;
			}
			n = r;
			fw->tls_len = 0;
			fw->sock_written = BIO_number_written(SSL_get_wbio(fw->ssl));
		}
		fw->ob_off += (size_t)n;
		fw->plain_sent += (uint64_t)n;
		mark_written(fw);
	}
	if (fw->ob_off == fw->ob.len) {
		fw->ob.len = fw->ob_off = 0;
	} else if (fw->ob_off > (256u << 10) && !fw->tls_len) {
		memmove(fw->ob.buf, fw->ob.buf + fw->ob_off, fw->ob.len - fw->ob_off);
		fw->ob.len -= fw->ob_off;
		fw->ob_off = 0;
	}
	return true;
}

/* The server sends nothing; reading notices its close (and takes TLS tickets). */
static bool drain(struct forward *fw)
{
	char buf[4096];

	for (;;) {
		ssize_t n;

		if (fw->ssl) {
			char err[256];
			int r;

			ERR_clear_error();
			errno = 0;
			r = SSL_read(fw->ssl, buf, sizeof(buf));
			if (r > 0)
				continue;
			switch (SSL_get_error(fw->ssl, r)) {
			case SSL_ERROR_WANT_READ:
			case SSL_ERROR_WANT_WRITE:
				return true;
			case SSL_ERROR_ZERO_RETURN:
				fail(fw, "the server closed the connection");
				return false;
			default:
				ssl_error(err, sizeof(err));
				fail(fw, "TLS read: %s", err);
				return false;
			}
		}
		n = recv(fw->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		fail(fw, "%s", n ? strerror(errno) : "the server closed the connection");
		return false;
	}
}

/* ---- the interface ------------------------------------------------------ */

int forward_open(const struct log_forward *cfg, const char *kind, const char *log_dir,
		 const char *state_dir, struct forward **ret)
{
	struct forward *fw = calloc(1, sizeof(*fw));
	bool oom = false;
	char host[HOST_NAME_MAX + 1] = "";

	if (!fw)
		return -ENOMEM;
	fw->fd = fw->rfd = -1;
	fw->cfg = *cfg;
	fw->cfg.server = dup_or_null(cfg->server, &oom);
	fw->cfg.ca = dup_or_null(cfg->ca, &oom);
	fw->cfg.cert = dup_or_null(cfg->cert, &oom);
	fw->cfg.key = dup_or_null(cfg->key, &oom);
	fw->cfg.hostname = dup_or_null(cfg->hostname, &oom);
	fw->log_dir = dup_or_null(log_dir, &oom);
	fw->rbuf = malloc(READ_CHUNK);
	if (strlen(kind) >= sizeof(fw->kind)) {
		forward_close(fw);
		return -EINVAL;
	}
	strcpy(fw->kind, kind);
	/* The records' cursor keeps its first name; the other kinds have their own. */
	if ((!strcmp(kind, "fw") ? asprintf(&fw->cursor_path, "%s/forward.cursor", state_dir)
				 : asprintf(&fw->cursor_path, "%s/forward-%s.cursor", state_dir,
					    kind)) < 0)
		fw->cursor_path = NULL;
	if (oom || !fw->rbuf || !fw->cursor_path || !fw->cfg.server) {
		forward_close(fw);
		return -ENOMEM;
	}
	snprintf(fw->port, sizeof(fw->port), "%u",
		 cfg->port ? cfg->port : cfg->tls ? 6514u : 514u);
	if (!cfg->hostname)
		gethostname(host, sizeof(host) - 1);
	syslog5424_hostname(cfg->hostname ? cfg->hostname : host, fw->hostname,
			    sizeof(fw->hostname));
	fw->backoff_ms = BACKOFF_MIN_MS;
	if (mkdir(state_dir, 0750) < 0 && errno != EEXIST)
		log_error("forward: state directory '%s': %s; the cursor cannot be kept",
			  state_dir, strerror(errno));
	/* OpenSSL writes to the socket with write(): a closed peer must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	cursor_start(fw);
	fw->state = FW_WAIT;
	fw->due_ms = 0;
	log_info("forward: %s-*.jsonl to %s:%s over %s, facility %u, hostname %s (LOG-9)",
		 fw->kind, fw->cfg.server, fw->port, cfg->tls ? "TLS" : "TCP", cfg->facility,
		 fw->hostname);
	*ret = fw;
	return 0;
}

bool forward_same(const struct forward *fw, const struct log_forward *cfg, const char *log_dir)
{
	return str_eq(fw->cfg.server, cfg->server) && fw->cfg.port == cfg->port &&
	       fw->cfg.tls == cfg->tls && str_eq(fw->cfg.ca, cfg->ca) &&
	       str_eq(fw->cfg.cert, cfg->cert) && str_eq(fw->cfg.key, cfg->key) &&
	       str_eq(fw->cfg.hostname, cfg->hostname) && fw->cfg.facility == cfg->facility &&
	       str_eq(fw->log_dir, log_dir);
}

int forward_fd(const struct forward *fw, short *ret_events)
{
	*ret_events = 0;
	switch (fw->state) {
	case FW_CONNECT:
		*ret_events = POLLOUT;
		break;
	case FW_HANDSHAKE:
		*ret_events = SSL_want_write(fw->ssl) ? POLLOUT : POLLIN;
		break;
	case FW_UP:
		*ret_events = POLLIN;
		if (fw->ob_off < fw->ob.len)
			*ret_events |= POLLOUT;
		break;
	default:
		return -1;
	}
	return fw->fd;
}

int forward_timeout(const struct forward *fw)
{
	int64_t now = mono_ms(), due = -1;

	if (fw->state != FW_UP)
		due = fw->due_ms;
	if (fw->state == FW_UP)
		due = fw->q_len ? now + ACK_CHECK_MS : fw->read_due_ms;
	if (fw->acked.off != fw->saved.off || strcmp(fw->acked.day, fw->saved.day))
		due = due < 0 || fw->save_due_ms < due ? fw->save_due_ms : due;
	if (due < 0)
		return -1;
	return due <= now ? 0 : (int)(due - now);
}

void forward_kick(struct forward *fw)
{
	fw->kicked = true;
}

void forward_run(struct forward *fw, short revents)
{
	int64_t now = mono_ms();
	int i;

	switch (fw->state) {
	case FW_WAIT:
		if (now >= fw->due_ms)
			start_resolve(fw);
		if (fw->state == FW_CONNECT)
			start_connect(fw);
		break;
	case FW_RESOLVE:
		if (now >= fw->due_ms)
			check_resolve(fw);
		if (fw->state == FW_CONNECT)
			start_connect(fw);
		break;
	case FW_CONNECT:
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			connected(fw);
		else if (now >= fw->due_ms)
			fail(fw, "connect: timed out after %ds", CONNECT_TIMEOUT_MS / 1000);
		break;
	case FW_HANDSHAKE:
		if (revents)
			handshake(fw);
		else if (now >= fw->due_ms)
			fail(fw, "TLS handshake: timed out after %ds", CONNECT_TIMEOUT_MS / 1000);
		break;
	case FW_UP:
		break;
	}
	if (fw->state == FW_UP) {
		if (revents & (POLLIN | POLLERR | POLLHUP) && !drain(fw))
			goto save;
		check_acks(fw);
		if (now >= fw->read_due_ms) {
			fw->kicked = true;
			fw->read_due_ms = now + READ_EVERY_MS;
		}
		/* Read and write until the socket is full or nothing is left, boundedly. */
		for (i = 0; i < 64; i++) {
			uint64_t queued = fw->plain_queued;

			if (fw->kicked || fw->ob_off == fw->ob.len) {
				fw->kicked = false;
				fill(fw);
			}
			if (!flush(fw))
				goto save;
			if (fw->ob_off < fw->ob.len || fw->plain_queued == queued)
				break;
		}
		check_acks(fw);
	}
save:
	if (now >= fw->save_due_ms && (fw->acked.off != fw->saved.off ||
				       strcmp(fw->acked.day, fw->saved.day))) {
		int r = cursor_save(fw);

		if (r)
			log_error("forward: saving the cursor '%s': %s", fw->cursor_path,
				  strerror(-r));
		fw->save_due_ms = now + SAVE_EVERY_MS;
	}
}

/* Bytes of the day files after the cursor: what the server has not got yet. */
static uint64_t backlog_bytes(const struct forward *fw)
{
	char day[11], path[PATH_MAX];
	uint64_t n = 0;
	struct stat st;

	memcpy(day, fw->acked.day, 11);
	day_path(fw, day, path, sizeof(path));
	if (stat(path, &st) == 0 && (uint64_t)st.st_size > fw->acked.off)
		n += (uint64_t)st.st_size - fw->acked.off;
	while (find_day(fw->log_dir, fw->kind, day, false, day)) {
		day_path(fw, day, path, sizeof(path));
		if (stat(path, &st) == 0)
			n += (uint64_t)st.st_size;
	}
	return n;
}

json_t *forward_status(const struct forward *fw)
{
	char server[300], cursor[40], last[40] = "";

	snprintf(server, sizeof(server), "%s:%s", fw->cfg.server, fw->port);
	snprintf(cursor, sizeof(cursor), "%s:%llu", fw->acked.day,
		 (unsigned long long)fw->acked.off);
	if (fw->last_acked_s)
		time_format(fw->last_acked_s, last, sizeof(last));
	/* ok: connected, or not yet failed; a monitor alarms otherwise (LOG-24). */
	return json_pack("{s:s, s:b, s:s, s:b, s:b, s:s, s:I, s:I, s:I, s:s?, s:I, s:s?}", "server",
			 server, "tls", fw->cfg.tls, "state", state_names[fw->state], "connected",
			 fw->state == FW_UP, "ok", fw->state == FW_UP || !fw->last_error[0],
			 "cursor", cursor, "backlog_bytes", (json_int_t)backlog_bytes(fw),
			 "unacked_records", (json_int_t)fw->q_len, "acked_records",
			 (json_int_t)fw->acked_records, "last_acked_at",
			 fw->last_acked_s ? last : NULL, "failures", (json_int_t)fw->failures,
			 "last_error", fw->last_error[0] ? fw->last_error : NULL);
}

void forward_close(struct forward *fw)
{
	int r;

	if (!fw)
		return;
	if (fw->cursor_path) {
		int i;

		/*
		 * What was written is probably acknowledged within a round trip:
		 * waiting for it (a second at most) spares the server duplicates
		 * at the next start.
		 */
		check_acks(fw);
		for (i = 0; i < 20 && fw->state == FW_UP && fw->q_marked; i++) {
			poll(NULL, 0, 50);
			check_acks(fw);
		}
		r = cursor_save(fw);
		if (r)
			log_error("forward: saving the cursor '%s': %s", fw->cursor_path,
				  strerror(-r));
	}
	if (fw->ssl && fw->state == FW_UP)
		SSL_shutdown(fw->ssl);
	drop_connection(fw);
	sb_fini(&fw->ob);
	free(fw->q);
	free(fw->rbuf);
	free(fw->cfg.server);
	free(fw->cfg.ca);
	free(fw->cfg.cert);
	free(fw->cfg.key);
	free(fw->cfg.hostname);
	free(fw->log_dir);
	free(fw->cursor_path);
	free(fw);
}
