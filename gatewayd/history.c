/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: applied versions on disk, written atomically. */
#include "history.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "duration.h"

int history_sha256(const void *data, size_t len, char out[SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -EIO;
	for (i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Writes @len bytes to @dir/@name through a synced temporary file. */
static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	const char *p = data;
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp) ||
	    snprintf(final, sizeof(final), "%s/%s", dir, name) >= (int)sizeof(final))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, final) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

static int read_whole(const char *path, char **ret, size_t *ret_len, size_t max)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	*ret = buf;
	*ret_len = got;
	return 0;
}

static int meta_load(const char *dir, struct version_meta *m)
{
	char path[PATH_MAX];
	json_t *root;
	const char *s;

	if (snprintf(path, sizeof(path), "%s/meta.json", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	root = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
	if (!root)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->version = json_integer_value(json_object_get(root, "version"));
	m->applied_at = json_integer_value(json_object_get(root, "applied_at_unix"));
	if ((s = json_string_value(json_object_get(root, "actor"))))
		snprintf(m->actor, sizeof(m->actor), "%s", s);
	if ((s = json_string_value(json_object_get(root, "action"))))
		snprintf(m->action, sizeof(m->action), "%s", s);
	if ((s = json_string_value(json_object_get(root, "config_sha256"))))
		snprintf(m->config_sha256, sizeof(m->config_sha256), "%s", s);
	if ((s = json_string_value(json_object_get(root, "ruleset_sha256"))))
		snprintf(m->ruleset_sha256, sizeof(m->ruleset_sha256), "%s", s);
	json_decref(root);
	return m->version > 0 ? 0 : -EINVAL;
}

static int version_cmp(const void *a, const void *b)
{
	const struct version_meta *x = a, *y = b;

	return x->version < y->version ? -1 : x->version > y->version;
}

int history_list(const char *state_dir, struct version_meta **ret, size_t *ret_n)
{
	struct version_meta *v = NULL, *nv;
	size_t n = 0, cap = 0;
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *dh;

	if (snprintf(dir, sizeof(dir), "%s/history", state_dir) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	dh = opendir(dir);
	if (!dh) {
		if (errno != ENOENT)
			return -errno;
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	while ((de = readdir(dh))) {
		char vdir[PATH_MAX];
		struct version_meta m;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (snprintf(vdir, sizeof(vdir), "%s/%s", dir, de->d_name) >= (int)sizeof(vdir) ||
		    meta_load(vdir, &m))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				closedir(dh);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = m;
	}
	closedir(dh);
	if (n > 1)
		qsort(v, n, sizeof(*v), version_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

static void remove_version(const char *state_dir, int64_t version)
{
	static const char *const files[] = { "config.bundle", "ruleset.nft", "meta.json" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/history/%06lld/%s", state_dir, (long long)version,
			 files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/history/%06lld", state_dir, (long long)version);
	rmdir(path);
}

int history_record(const char *state_dir, const struct conf_bundle *b, const char *rendering,
		   struct version_meta *meta, unsigned keep)
{
	struct version_meta *all = NULL;
	struct strbuf sb = { 0 };
	char dir[PATH_MAX], at[32];
	json_t *j = NULL;
	char *js = NULL;
	size_t n = 0, i;
	int r;

	if ((r = history_list(state_dir, &all, &n)))
		return r;
	meta->version = n ? all[n - 1].version + 1 : 1;
	if (snprintf(dir, sizeof(dir), "%s/history/%06lld", state_dir,
		     (long long)meta->version) >= (int)sizeof(dir)) {
		r = -ENAMETOOLONG;
		goto out;
	}
	if ((r = mkdir_p(dir, 0750)))
		goto out;
	bundle_write(b, &sb);
	if (sb.oom) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = write_file(dir, "config.bundle", sb.buf, sb.len)) ||
	    (r = write_file(dir, "ruleset.nft", rendering, strlen(rendering))))
		goto out;
	time_format(meta->applied_at, at, sizeof(at));
	j = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s}", "version", (json_int_t)meta->version,
		      "applied_at", at, "applied_at_unix", (json_int_t)meta->applied_at, "actor",
		      meta->actor, "action", meta->action, "config_sha256", meta->config_sha256,
		      "ruleset_sha256", meta->ruleset_sha256);
	js = j ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	if (!js) {
		r = -ENOMEM;
		goto out;
	}
	/* meta.json last: a version without it is incomplete and ignored. */
	if ((r = write_file(dir, "meta.json", js, strlen(js))))
		goto out;
	/* Keep the newest @keep versions, the new one included. */
	for (i = 0; n + 1 > keep && i < n + 1 - keep; i++)
		remove_version(state_dir, all[i].version);
out:
	free(js);
	json_decref(j);
	sb_fini(&sb);
	free(all);
	return r;
}

int history_bundle(const char *state_dir, int64_t version, struct conf_bundle **ret_b)
{
	char path[PATH_MAX];
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (snprintf(path, sizeof(path), "%s/history/%06lld/config.bundle", state_dir,
		     (long long)version) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = read_whole(path, &buf, &len, BUNDLE_MAX_SIZE);
	if (r)
		return r;
	r = bundle_parse(buf, len, ret_b);
	free(buf);
	return r;
}
