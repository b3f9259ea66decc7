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
#include <unistd.h>

#include "duration.h"

struct logfile {
	char dir[PATH_MAX - 32];
	char kind[16]; /* the file names' prefix: "fw" or "summary" */
	char day[16];  /* the open file's day, "YYYY-MM-DD" */
	int fd;
};

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
	char day[16], path[PATH_MAX + 64];
	struct iovec iov[2] = { { (void *)line, strlen(line) }, { "\n", 1 } };

	date_format(t_us / 1000000, day, sizeof(day));
	if (lf->fd < 0 || strcmp(day, lf->day)) {
		if (lf->fd >= 0)
			close(lf->fd);
		snprintf(path, sizeof(path), "%s/%s-%s.jsonl", lf->dir, lf->kind, day);
		/* LOG-27: appended to only, readable by the log group at most. */
		lf->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (lf->fd < 0)
			return -errno;
		strcpy(lf->day, day);
	}
	/* One writev: a record is never interleaved with another writer's. */
	if (writev(lf->fd, iov, 2) < 0)
		return -errno;
	return 0;
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

		/* fw-YYYY-MM-DD.jsonl and summary-YYYY-MM-DD.jsonl */
		if (!dash || (strncmp(name, "fw-", 3) && strncmp(name, "summary-", 8)) ||
		    strlen(dash + 1) != 16 || strcmp(dash + 11, ".jsonl"))
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
	if (lf->fd >= 0)
		close(lf->fd);
	free(lf);
}
