/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: day files of JSON lines, appended, retained, removed. */
#include "logfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "duration.h"
#include "log.h"
#include "sealfile.h"

struct logfile {
	char dir[PATH_MAX - 32];
	char kind[16]; /* the file names' prefix: "fw" or "summary" */
	char day[16];  /* the open file's day, "YYYY-MM-DD" */
	char path[PATH_MAX + 64]; /* the open file */
	int fd;
	struct seal_state seal; /* its running digest (LOG-27) */
	char problem[320];      /* what its seals showed when opened; "" when they hold */
};

/* LOG-27: seals the open file, and says so in syslog (a copy off the gateway). */
static void seal(struct logfile *lf, int64_t now_us)
{
	struct logseal s;
	int r;

	if (lf->fd < 0)
		return;
	r = sealfile_seal(lf->path, &lf->seal, now_us, &s);
	if (r > 0)
		log_info("firewall log: sealed %s at %llu bytes, %llu lines: sha256 %s (LOG-27)",
			 strrchr(lf->path, '/') + 1, (unsigned long long)s.bytes,
			 (unsigned long long)s.lines, s.sha256);
	else if (r < 0)
		log_error("firewall log: %s could not be sealed: %s", lf->path, strerror(-r));
}

/* Opens the file of @day, picking up its digest and checking its seals. */
static int open_day(struct logfile *lf, const char *day)
{
	struct seal_check chk;
	int r;

	snprintf(lf->path, sizeof(lf->path), "%s/%s-%s.jsonl", lf->dir, lf->kind, day);
	/* LOG-27: appended to only, readable by the log group at most. */
	lf->fd = open(lf->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (lf->fd < 0)
		return -errno;
	strcpy(lf->day, day);
	lf->problem[0] = '\0';
	r = sealfile_scan(lf->path, &lf->seal, &chk);
	if (r) {
		log_error("firewall log: %s could not be read to continue its seals: %s",
			  lf->path, strerror(-r));
		return 0;
	}
	if (chk.problem[0]) {
		snprintf(lf->problem, sizeof(lf->problem), "%s-%s.jsonl: %s", lf->kind, day,
			 chk.problem);
		log_error("firewall log: ALARM: %s (LOG-27)", lf->problem);
	}
	return 0;
}

int logfile_open(const char *dir, struct logfile **ret)
{
	return logfile_open_kind(dir, "fw", ret);
}

int logfile_open_kind(const char *dir, const char *kind, struct logfile **ret)
{
	struct logfile *lf;

	if (strlen(dir) >= sizeof(lf->dir) || strlen(kind) >= sizeof(lf->kind))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	lf = calloc(1, sizeof(*lf));
	if (!lf)
		return -ENOMEM;
	strcpy(lf->dir, dir);
	strcpy(lf->kind, kind);
	lf->fd = -1;
	*ret = lf;
	return 0;
}

int logfile_write(struct logfile *lf, const char *line, int64_t t_us)
{
	char day[16];
	size_t len = strlen(line);
	struct iovec iov[2] = { { (void *)line, len }, { "\n", 1 } };
	ssize_t n;
	int r;

	date_format(t_us / 1000000, day, sizeof(day));
	if (lf->fd < 0 || strcmp(day, lf->day)) {
		if (lf->fd >= 0) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			seal(lf, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
			close(lf->fd);
			lf->fd = -1;
		}
		sealfile_free(&lf->seal);
		r = open_day(lf, day);
		if (r)
			return r;
	}
	/* One writev: a record is never interleaved with another writer's. */
	n = writev(lf->fd, iov, 2);
	if (n < 0)
		return -errno;
	/* The digest follows the file, a short write included. */
	if (sealfile_update(&lf->seal, line, (size_t)n < len ? (size_t)n : len, 0) ||
	    ((size_t)n > len && sealfile_update(&lf->seal, "\n", 1, 1)))
		log_error("firewall log: the digest of %s is lost; its seals stop (LOG-27)",
			  lf->path);
	return (size_t)n == len + 1 ? 0 : -EIO;
}

void logfile_seal(struct logfile *lf, int64_t now_us)
{
	seal(lf, now_us);
}

const char *logfile_problem(const struct logfile *lf)
{
	return lf->problem[0] ? lf->problem : NULL;
}

int logfile_expire(const char *dir, int64_t now, int64_t retention)
{
	struct dirent *de;
	DIR *dh = opendir(dir);
	int n = 0;

	if (!dh)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dh))) {
		const char *name = de->d_name, *dash = strchr(name, '-');
		char date[16], path[PATH_MAX];
		int64_t start;

		/* fw-, summary- and incident-YYYY-MM-DD.jsonl, and their .seal */
		if (!dash ||
		    (strncmp(name, "fw-", 3) && strncmp(name, "summary-", 8) &&
		     strncmp(name, "incident-", 9)) ||
		    strlen(dash + 1) < 16 ||
		    (strcmp(dash + 11, ".jsonl") && strcmp(dash + 11, ".jsonl.seal")))
			continue;
		memcpy(date, dash + 1, 10);
		date[10] = '\0';
		if (time_parse(date, &start))
			continue;
		if (start + DAY_SECONDS + retention > now)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(dh);
	return n;
}

void logfile_close(struct logfile *lf)
{
	if (!lf)
		return;
	if (lf->fd >= 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seal(lf, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
		close(lf->fd);
	}
	sealfile_free(&lf->seal);
	free(lf);
}
