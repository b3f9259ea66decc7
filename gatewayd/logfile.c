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
	char day[16];  /* the open file's day, "YYYY-MM-DD" */
	int fd;
};

int logfile_open(const char *dir, struct logfile **ret)
{
	struct logfile *lf;

	if (strlen(dir) >= sizeof(lf->dir))
		return -ENAMETOOLONG;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	lf = calloc(1, sizeof(*lf));
	if (!lf)
		return -ENOMEM;
	strcpy(lf->dir, dir);
	lf->fd = -1;
	*ret = lf;
	return 0;
}

int logfile_write(struct logfile *lf, const char *line, int64_t t_us)
{
	char day[16], path[PATH_MAX];
	struct iovec iov[2] = { { (void *)line, strlen(line) }, { "\n", 1 } };

	date_format(t_us / 1000000, day, sizeof(day));
	if (lf->fd < 0 || strcmp(day, lf->day)) {
		if (lf->fd >= 0)
			close(lf->fd);
		snprintf(path, sizeof(path), "%s/fw-%s.jsonl", lf->dir, day);
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
		char date[16], path[PATH_MAX];
		int64_t start;

		/* fw-YYYY-MM-DD.jsonl */
		if (strlen(de->d_name) != 19 || strncmp(de->d_name, "fw-", 3) ||
		    strcmp(de->d_name + 13, ".jsonl"))
			continue;
		memcpy(date, de->d_name + 3, 10);
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
