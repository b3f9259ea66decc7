/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: config files from disk to named buffers for the core. */
#include "confread.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "util.h"

static int read_file(const char *path, char **ret, size_t *ret_len, struct diag_list *d)
{
	struct origin o = { path, 0 };
	struct stat st;
	FILE *f;
	char *buf;
	size_t n;

	f = fopen(path, "re");
	if (!f)
		return diag_error(d, &o, "cannot read: %s", strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return diag_error(d, &o, "not a regular file");
	}
	if ((unsigned long long)st.st_size > CONF_MAX_FILE_SIZE) {
		fclose(f);
		return diag_error(d, &o, "file is %lld bytes, larger than the %u allowed",
				  (long long)st.st_size, CONF_MAX_FILE_SIZE);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return diag_error(d, &o, "read error");
	}
	fclose(f);
	buf[n] = '\0';
	*ret = buf;
	*ret_len = n;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_conf_name(const char *n)
{
	size_t len = strlen(n);

	return n[0] != '.' && len > 5 && !strcmp(n + len - 5, ".conf");
}

int confread_bundle(const char *path, unsigned flags, struct conf_bundle **ret_b,
		    struct diag_list *d)
{
	struct conf_bundle *b = bundle_new();
	struct arena *a = arena_new();
	char **names = NULL, *dir, *shown_dir, *text = NULL, *main_name;
	size_t n = 0, cap = 0, i, len;
	struct policy *probe = NULL;
	struct dirent *de;
	DIR *dh = NULL;
	size_t start_errors = d->errors;
	int r;

	if (!a || !b) {
		r = -ENOMEM;
		goto out;
	}
	main_name = path_join_normal(a, ".", path);
	if (!main_name) {
		r = -ENOMEM;
		goto out;
	}
	r = read_file(path, &text, &len, d);
	if (r)
		goto out;
	/* Where are the zones? Parse the main file once for zone_dir only. */
	probe = policy_new();
	if (!probe) {
		r = -ENOMEM;
		goto out;
	}
	{
		struct diag_list tmp;
		struct conf_source src = { main_name, text, len };

		diag_init(&tmp);
		conf_parse_main(probe, &src, &tmp);
		diag_fini(&tmp);
	}
	dir = path_join_normal(a, path_dirname(a, main_name),
			       probe->settings.zone_dir ? probe->settings.zone_dir : "zones");
	shown_dir = dir;
	if (flags & CONFREAD_RELATIVE_NAMES) {
		const char *base = strrchr(main_name, '/');

		main_name = base ? (char *)base + 1 : main_name;
		shown_dir = path_join_normal(a, ".",
					     probe->settings.zone_dir ? probe->settings.zone_dir
								      : "zones");
	}
	if (!dir || !shown_dir || bundle_add(b, main_name, text, len)) {
		r = -ENOMEM;
		goto out;
	}
	/*
	 * A main file that does not parse names no zone directory: the bundle
	 * holds it alone, so that its syntax error is what gets reported.
	 */
	if (probe->syntax_errors)
		goto done;
	dh = opendir(dir);
	if (!dh) {
		struct origin o = { b->srcs[0].name, 0 };

		r = diag_error(d, &o, "zone directory '%s': %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(dh))) {
		char **slot;

		if (!is_conf_name(de->d_name))
			continue;
		if (n >= CONF_MAX_FILES) {
			struct origin o = { dir, 0 };

			r = diag_error(d, &o, "more than %u zone files", CONF_MAX_FILES);
			goto out;
		}
		slot = ARENA_PUSH(a, names, n, cap);
		if (!slot || !(*slot = arena_strdup(a, de->d_name))) {
			r = -ENOMEM;
			goto out;
		}
	}
	/* readdir order is the file system's: sort so diagnostics are stable. */
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		char *file = arena_printf(a, "%s/%s", dir, names[i]);
		char *shown = arena_printf(a, "%s/%s", shown_dir, names[i]);
		char *zt = NULL;
		size_t zl;
		int rr;

		if (!file || !shown) {
			r = -ENOMEM;
			goto out;
		}
		rr = read_file(file, &zt, &zl, d);
		if (rr == -ENOMEM) {
			r = rr;
			goto out;
		}
		if (rr)
			continue;
		rr = bundle_add(b, shown, zt, zl);
		free(zt);
		if (rr) {
			r = rr;
			goto out;
		}
	}
done:
	/* An unreadable zone file is an error even when the rest loads. */
	r = d->errors > start_errors ? -EINVAL : 0;
	if (r == 0) {
		*ret_b = b;
		b = NULL;
	}
out:
	if (dh)
		closedir(dh);
	free(text);
	policy_free(probe);
	bundle_free(b);
	arena_free(a);
	return r;
}

int confread_load(const char *path, int64_t now, unsigned flags, struct policy **ret_p,
		  struct diag_list *d)
{
	struct conf_bundle *b = NULL;
	int r = confread_bundle(path, flags, &b, d);

	if (r == 0)
		r = conf_load_flags(b->srcs, b->n, now,
				    flags & CONFREAD_DROP_LAPSED ? CONF_DROP_LAPSED : 0, ret_p, d);
	bundle_free(b);
	return r;
}
