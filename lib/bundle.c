/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Config bundles: named config texts, serialised for the history. */
#include "bundle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BUNDLE_MAGIC "gatewayd-bundle 1\n"

struct conf_bundle *bundle_new(void)
{
	return calloc(1, sizeof(struct conf_bundle));
}

void bundle_free(struct conf_bundle *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++) {
		free((char *)b->srcs[i].name);
		free((char *)b->srcs[i].text);
	}
	free(b->srcs);
	free(b);
}

int bundle_add(struct conf_bundle *b, const char *name, const char *text, size_t len)
{
	struct conf_source *n = realloc(b->srcs, (b->n + 1) * sizeof(*n));
	char *nm, *tx;

	if (!n)
		return -ENOMEM;
	b->srcs = n;
	nm = strdup(name);
	tx = malloc(len + 1);
	if (!nm || !tx) {
		free(nm);
		free(tx);
		return -ENOMEM;
	}
	memcpy(tx, text, len);
	tx[len] = '\0';
	b->srcs[b->n++] = (struct conf_source){ .name = nm, .text = tx, .len = len };
	return 0;
}

void bundle_write(const struct conf_bundle *b, struct strbuf *sb)
{
	size_t i;

	sb_addf(sb, "%s", BUNDLE_MAGIC);
	for (i = 0; i < b->n; i++) {
		sb_addf(sb, "file %s\n%zu\n", b->srcs[i].name, b->srcs[i].len);
		sb_addf(sb, "%.*s\n", (int)b->srcs[i].len, b->srcs[i].text);
	}
}

/* Reads one '\n'-terminated line starting at *pos; NULL if there is none. */
static const char *next_line(const char *buf, size_t len, size_t *pos, size_t *ret_len)
{
	const char *s = buf + *pos, *nl;

	if (*pos >= len)
		return NULL;
	nl = memchr(s, '\n', len - *pos);
	if (!nl)
		return NULL;
	*ret_len = (size_t)(nl - s);
	*pos += *ret_len + 1;
	return s;
}

int bundle_parse(const char *buf, size_t len, struct conf_bundle **ret_b)
{
	size_t pos = strlen(BUNDLE_MAGIC), l;
	struct conf_bundle *b;
	const char *line;
	int r = -EINVAL;

	if (len > BUNDLE_MAX_SIZE || len < pos || memcmp(buf, BUNDLE_MAGIC, pos))
		return -EINVAL;
	b = bundle_new();
	if (!b)
		return -ENOMEM;
	while (pos < len) {
		char name[4096], num[24], *end;
		unsigned long long flen;

		line = next_line(buf, len, &pos, &l);
		if (!line || l < 6 || l - 5 >= sizeof(name) || memcmp(line, "file ", 5))
			goto out;
		memcpy(name, line + 5, l - 5);
		name[l - 5] = '\0';
		if (memchr(name, '\0', l - 5) || !name[0])
			goto out;
		line = next_line(buf, len, &pos, &l);
		if (!line || l == 0 || l >= sizeof(num))
			goto out;
		memcpy(num, line, l);
		num[l] = '\0';
		/* Digits only, no leading zero: one spelling per length (canonical). */
		if (strspn(num, "0123456789") != l || (num[0] == '0' && l > 1))
			goto out;
		errno = 0;
		flen = strtoull(num, &end, 10);
		if (errno || *end || flen > len - pos || len - pos - flen < 1 ||
		    buf[pos + flen] != '\n' || memchr(buf + pos, '\0', flen))
			goto out;
		if (b->n >= CONF_MAX_FILES + 1) {
			r = -EINVAL;
			goto out;
		}
		if ((r = bundle_add(b, name, buf + pos, (size_t)flen)))
			goto out;
		r = -EINVAL;
		pos += flen + 1;
	}
	if (b->n == 0)
		goto out;
	*ret_b = b;
	return 0;
out:
	bundle_free(b);
	return r;
}
