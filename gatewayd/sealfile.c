/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: seals of the firewall log's day files (LOG-27); see sealfile.h. */
#include "sealfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEALS_MAX 1000000 /* a seal a second for eleven days: far beyond one a minute */

static int hex_of(EVP_MD_CTX *ctx, char out[LOGSEAL_HEX])
{
	EVP_MD_CTX *copy = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0, i;
	int ok;

	if (!copy)
		return -ENOMEM;
	ok = EVP_MD_CTX_copy_ex(copy, ctx) && EVP_DigestFinal_ex(copy, md, &n) && n == 32;
	EVP_MD_CTX_free(copy);
	if (!ok)
		return -EIO;
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static uint64_t count_lines(const char *p, size_t n)
{
	uint64_t k = 0;
	const char *q;

	while (n && (q = memchr(p, '\n', n))) {
		k++;
		n -= (size_t)(q + 1 - p);
		p = q + 1;
	}
	return k;
}

/* Reads the seal lines of @path; a malformed one is a problem, not an error. */
static int read_seals(const char *path, struct logseal **ret, size_t *ret_n,
		      struct seal_check *chk)
{
	char sp[PATH_MAX], line[LOGSEAL_LINE_MAX + 2];
	struct logseal *v = NULL;
	size_t n = 0, cap = 0;
	FILE *f;

	*ret = NULL;
	*ret_n = 0;
	if (snprintf(sp, sizeof(sp), "%s.seal", path) >= (int)sizeof(sp))
		return -ENAMETOOLONG;
	f = fopen(sp, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		struct logseal s;

		if (len == 0 || line[len - 1] != '\n' ||
		    logseal_parse(line, len - 1, &s) ||
		    (n && (s.bytes <= v[n - 1].bytes || s.lines < v[n - 1].lines))) {
			snprintf(chk->problem, sizeof(chk->problem),
				 "seal line %zu is malformed or out of order", n + 1);
			break;
		}
		if (n == SEALS_MAX)
			break;
		if (n == cap) {
			struct logseal *w = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));

			if (!w) {
				free(v);
				fclose(f);
				return -ENOMEM;
			}
			v = w;
		}
		v[n++] = s;
	}
	fclose(f);
	*ret = v;
	*ret_n = n;
	return 0;
}

int sealfile_scan(const char *path, struct seal_state *st, struct seal_check *chk)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct logseal *seals = NULL;
	size_t n = 0, next = 0;
	static char buf[1 << 16];
	int fd = -1, r;

	memset(chk, 0, sizeof(*chk));
	if (st)
		memset(st, 0, sizeof(*st));
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = read_seals(path, &seals, &n, chk);
	if (r)
		goto out;
	chk->seals = n;
	for (;;) {
		ssize_t got = read(fd, buf, sizeof(buf));
		size_t off = 0;

		if (got < 0) {
			r = -errno;
			goto out;
		}
		if (got == 0)
			break;
		while (off < (size_t)got) {
			size_t take = (size_t)got - off;
			char hex[LOGSEAL_HEX];

			/* Stop exactly at the next seal's offset. */
			if (next < n && seals[next].bytes - chk->bytes < take)
				take = (size_t)(seals[next].bytes - chk->bytes);
			EVP_DigestUpdate(ctx, buf + off, take);
			chk->lines += count_lines(buf + off, take);
			chk->bytes += take;
			off += take;
			if (next < n && chk->bytes == seals[next].bytes) {
				r = hex_of(ctx, hex);
				if (r)
					goto out;
				if (!chk->problem[0] && (strcmp(hex, seals[next].sha256) ||
							 chk->lines != seals[next].lines)) {
					snprintf(chk->problem, sizeof(chk->problem),
						 "the first %" PRIu64 " bytes (%" PRIu64
						 " lines) do not match seal %zu: records were "
						 "altered",
						 seals[next].bytes, seals[next].lines, next + 1);
				}
				if (!chk->problem[0]) {
					chk->good++;
					chk->covered = chk->bytes;
				}
				next++;
			}
		}
	}
	if (next < n && !chk->problem[0])
		snprintf(chk->problem, sizeof(chk->problem),
			 "the file has %" PRIu64 " bytes, seal %zu covers %" PRIu64
			 ": records were removed",
			 chk->bytes, next + 1, seals[next].bytes);
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if ((r == 0 || r == -ENOENT) && st) {
		st->ctx = ctx;
		st->bytes = chk->bytes;
		st->lines = chk->lines;
		st->sealed = n ? seals[n - 1].bytes : 0; /* seal only what is new */
		ctx = NULL;
	}
	free(seals);
	EVP_MD_CTX_free(ctx);
	return r;
}

int sealfile_update(struct seal_state *st, const void *data, size_t len, uint64_t lines)
{
	if (!st->ctx) {
		st->ctx = EVP_MD_CTX_new();
		if (!st->ctx || !EVP_DigestInit_ex(st->ctx, EVP_sha256(), NULL))
			return -ENOMEM;
	}
	if (!EVP_DigestUpdate(st->ctx, data, len))
		return -EIO;
	st->bytes += len;
	st->lines += lines;
	return 0;
}

int sealfile_seal(const char *path, struct seal_state *st, int64_t now_us, struct logseal *ret)
{
	char sp[PATH_MAX], line[LOGSEAL_LINE_MAX];
	struct logseal s = { .bytes = st->bytes, .lines = st->lines, .time_us = now_us };
	ssize_t len;
	int fd, r;

	if (!st->ctx || st->bytes <= st->sealed || !st->lines)
		return 0;
	if (snprintf(sp, sizeof(sp), "%s.seal", path) >= (int)sizeof(sp))
		return -ENAMETOOLONG;
	r = hex_of(st->ctx, s.sha256);
	if (r == 0)
		r = logseal_format(&s, line, sizeof(line));
	if (r)
		return r;
	fd = open(sp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	len = (ssize_t)strlen(line);
	r = write(fd, line, (size_t)len) == len ? 0 : -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (r)
		return r;
	st->sealed = st->bytes;
	*ret = s;
	return 1;
}

void sealfile_free(struct seal_state *st)
{
	if (!st)
		return;
	EVP_MD_CTX_free(st->ctx);
	memset(st, 0, sizeof(*st));
}
