/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: NFLOG records through libpcap. */
#include "nflogread.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct nflogread {
	pcap_t *p;
	nflogread_fn fn;
	void *user;
};

int nflogread_open(unsigned group, size_t bufsize, struct nflogread **ret, char *err)
{
	struct nflogread *r = calloc(1, sizeof(*r));
	char dev[32];
	int rc, force;

	if (!r)
		return -ENOMEM;
	snprintf(dev, sizeof(dev), "nflog:%u", group);
	r->p = pcap_create(dev, err);
	if (!r->p) {
		free(r);
		return -ENODEV;
	}
	/* Whole records: the rules bound what is copied (log ... snaplen), not pcap. */
	if (pcap_set_snaplen(r->p, 65535) || pcap_set_buffer_size(r->p, (int)bufsize) ||
	    pcap_set_timeout(r->p, 100)) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(r->p));
		goto fail;
	}
	rc = pcap_activate(r->p);
	if (rc < 0) {
		snprintf(err, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(r->p));
		goto fail;
	}
	if (pcap_datalink(r->p) != DLT_NFLOG || pcap_setnonblock(r->p, 1, err) < 0) {
		if (pcap_datalink(r->p) != DLT_NFLOG)
			snprintf(err, PCAP_ERRBUF_SIZE, "%s is not an NFLOG device", dev);
		goto fail;
	}
	/*
	 * pcap's buffer size is capped by net.core.rmem_max (often 208 KiB or
	 * 4 MiB): as root, take the whole size regardless, or a burst of new
	 * connections overruns the socket (LOG-24 counts what that loses).
	 */
	force = (int)bufsize;
	setsockopt(pcap_get_selectable_fd(r->p), SOL_SOCKET, SO_RCVBUFFORCE, &force,
		   sizeof(force));
	*ret = r;
	return 0;
fail:
	pcap_close(r->p);
	free(r);
	return -EIO;
}

int nflogread_fd(const struct nflogread *r)
{
	return pcap_get_selectable_fd(r->p);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct nflogread *r = (struct nflogread *)user;
	int64_t us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;

	/* Packet data is valid only inside this callback (STYLE §6). */
	r->fn(bytes, h->caplen, us, r->user);
}

int nflogread_dispatch(struct nflogread *r, int max, nflogread_fn fn, void *user)
{
	int n;

	r->fn = fn;
	r->user = user;
	n = pcap_dispatch(r->p, max, on_packet, (u_char *)r);
	return n < 0 ? -EIO : n;
}

uint64_t nflogread_drops(struct nflogread *r)
{
	struct pcap_stat st;

	return pcap_stats(r->p, &st) == 0 ? st.ps_drop : 0;
}

void nflogread_close(struct nflogread *r)
{
	if (!r)
		return;
	pcap_close(r->p);
	free(r);
}
