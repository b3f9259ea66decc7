/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Edge: ARP, DHCP and equipment sightings on the LAN interfaces, through libpcap. */
#include "observe.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Whole frames. A 600-byte snaplen would hold the 576-byte DHCP message
 * every client must accept, but a longer one (option 57 allows it) would be
 * cut and refused as truncated by frame_decode(): a server sending long
 * OFFERs would go unseen (LANREQ-47). The filter keeps the volume small.
 */
#define OBSERVE_SNAPLEN 2048

/*
 * On receive Linux moves an 802.1Q tag out of the frame before the filter
 * runs, so tagged ARP and DHCP match too; libpcap puts the tag back and
 * frame_decode() reports the VLAN. LANREQ-47: the frames of network
 * equipment (frame.h): BPDUs, LLDP, CDP and IPv6 router advertisements
 * (without extension headers, as frame_decode() reads them).
 */
#define OBSERVE_FILTER                                                                      \
	"arp or (udp and (port 67 or port 68)) or ether proto 0x88cc or "                   \
	"ether dst 01:80:c2:00:00:00 or ether dst 01:00:0c:cc:cc:cc or "                   \
	"(icmp6 and ip6[40] == 134)"

/*
 * LANREQ-47: the group addresses equipment sends to. Not promiscuous, a NIC
 * passes a group address's frames only when someone joined it: the capture's
 * socket joins these (the IPv6 all-nodes address is joined by the kernel
 * while IPv6 is on). Joining only widens what reaches the socket; the
 * filter decides what is read.
 */
static const uint8_t observe_groups[][6] = {
	{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 }, /* STP, LLDP to the nearest customer bridge */
	{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x03 }, /* LLDP, nearest non-TPMR bridge */
	{ 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e }, /* LLDP, nearest bridge */
	{ 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc }, /* CDP */
};

/* Frames read per observer_dispatch(), so that one interface cannot starve the others. */
#define OBSERVE_BATCH 64

struct observer_if {
	pcap_t *p;
	int fd;
	char name[IF_NAMESIZE];
};

struct observer {
	struct observer_if *ifs;
	size_t n;
	struct observer_stats st;
	/* During observer_dispatch() only: */
	const struct observer_if *cur;
	observer_fn cb;
	void *user;
};

static int activate_error(int rc)
{
	switch (rc) {
	case PCAP_ERROR_NO_SUCH_DEVICE:
		return -ENODEV;
	case PCAP_ERROR_PERM_DENIED:
		return -EPERM;
	default:
		return -EIO;
	}
}

/* LANREQ-47: the capture's packet socket joins the equipment's group addresses. */
static int join_groups(struct observer_if *oi, char *err, size_t errlen)
{
	struct packet_mreq mr;
	size_t i;

	for (i = 0; i < sizeof(observe_groups) / sizeof(observe_groups[0]); i++) {
		memset(&mr, 0, sizeof(mr));
		mr.mr_ifindex = (int)if_nametoindex(oi->name);
		mr.mr_type = PACKET_MR_MULTICAST;
		mr.mr_alen = 6;
		memcpy(mr.mr_address, observe_groups[i], 6);
		if (!mr.mr_ifindex ||
		    setsockopt(oi->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
			int e = errno ? errno : ENODEV;

			snprintf(err, errlen, "'%s': joining the equipment's group addresses: %s",
				 oi->name, strerror(e));
			return -e;
		}
	}
	return 0;
}

/* Sets the capture up: options that must precede pcap_activate(), then the filter. */
static int setup_capture(struct observer_if *oi, char *err, size_t errlen)
{
	struct bpf_program prog;
	char ebuf[PCAP_ERRBUF_SIZE];
	int rc;

	/*
	 * Not promiscuous: what the gateway can see on a switched LAN comes to
	 * it anyway (broadcasts, frames to it); promiscuous mode would add only
	 * other stations' unicast, which the switch does not send here.
	 */
	if (pcap_set_snaplen(oi->p, OBSERVE_SNAPLEN) || pcap_set_promisc(oi->p, 0) ||
	    pcap_set_immediate_mode(oi->p, 1)) {
		snprintf(err, errlen, "'%s': %s", oi->name, pcap_geterr(oi->p));
		return -EIO;
	}
	rc = pcap_activate(oi->p);
	if (rc < 0) {
		/* libpcap's message when it has one, else the status's name. */
		snprintf(err, errlen, "'%s': %s", oi->name,
			 *pcap_geterr(oi->p) ? pcap_geterr(oi->p) : pcap_statustostr(rc));
		return activate_error(rc);
	}
	if (pcap_datalink(oi->p) != DLT_EN10MB) {
		snprintf(err, errlen, "'%s': not an Ethernet interface (link type %s)", oi->name,
			 pcap_datalink_val_to_name(pcap_datalink(oi->p)) ?: "unknown");
		return -EINVAL;
	}
	if (pcap_compile(oi->p, &prog, OBSERVE_FILTER, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "'%s': filter: %s", oi->name, pcap_geterr(oi->p));
		return -EIO;
	}
	rc = pcap_setfilter(oi->p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) {
		snprintf(err, errlen, "'%s': filter: %s", oi->name, pcap_geterr(oi->p));
		return -EIO;
	}
	if (pcap_setnonblock(oi->p, 1, ebuf) < 0) {
		snprintf(err, errlen, "'%s': %s", oi->name, ebuf);
		return -EIO;
	}
	oi->fd = pcap_get_selectable_fd(oi->p);
	if (oi->fd < 0) {
		snprintf(err, errlen, "'%s': no descriptor to poll", oi->name);
		return -EIO;
	}
	return join_groups(oi, err, errlen);
}

static int open_one(struct observer_if *oi, const char *name, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE];

	if (!*name || strlen(name) >= sizeof(oi->name)) {
		snprintf(err, errlen, "'%s': not an interface name", name);
		return -EINVAL;
	}
	strcpy(oi->name, name);
	oi->p = pcap_create(name, ebuf);
	if (!oi->p) {
		snprintf(err, errlen, "'%s': %s", name, ebuf);
		return -ENOMEM;
	}
	return setup_capture(oi, err, errlen);
}

struct observer *observer_open(const char *const *ifaces, size_t n, char *err, size_t errlen)
{
	struct observer *o;
	size_t i;
	int r;

	if (n == 0 || n > OBSERVE_IFACES_MAX) {
		snprintf(err, errlen, "%zu interfaces: from 1 to %d", n, OBSERVE_IFACES_MAX);
		errno = EINVAL;
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	if (o)
		o->ifs = calloc(n, sizeof(*o->ifs));
	if (!o || !o->ifs) {
		snprintf(err, errlen, "out of memory");
		free(o);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		o->n = i + 1; /* so that observer_close() closes what this opens */
		r = open_one(&o->ifs[i], ifaces[i], err, errlen);
		if (r < 0) {
			observer_close(o);
			errno = -r;
			return NULL;
		}
	}
	return o;
}

int observer_fds(struct observer *o, struct pollfd *out, size_t max)
{
	size_t i;

	if (max < o->n)
		return -ENOSPC;
	for (i = 0; i < o->n; i++) {
		out[i].fd = o->ifs[i].fd;
		out[i].events = POLLIN;
		out[i].revents = 0;
	}
	return (int)o->n;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct observer *o = (struct observer *)user;
	int64_t us = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
	struct sighting s;

	/* Frame bytes are valid only inside this callback (STYLE §6); the sighting copies. */
	switch (frame_decode(bytes, h->caplen, &s)) {
	case 0:
		o->st.decoded++;
		o->cb(&s, o->cur->name, us, o->user);
		break;
	case -ENOENT:
		o->st.not_ours++;
		break;
	default:
		o->st.malformed++;
		break;
	}
}

int observer_dispatch(struct observer *o, int fd, observer_fn cb, void *user)
{
	size_t i;
	int n;

	for (i = 0; i < o->n && o->ifs[i].fd != fd; i++)
		;
	if (i == o->n)
		return -EBADF;
	o->cur = &o->ifs[i];
	o->cb = cb;
	o->user = user;
	n = pcap_dispatch(o->ifs[i].p, OBSERVE_BATCH, on_frame, (u_char *)o);
	o->cur = NULL;
	return n < 0 ? -EIO : n;
}

void observer_stats(struct observer *o, struct observer_stats *ret)
{
	struct pcap_stat ps;
	size_t i;

	*ret = o->st;
	ret->dropped = 0;
	for (i = 0; i < o->n; i++)
		if (pcap_stats(o->ifs[i].p, &ps) == 0)
			ret->dropped += ps.ps_drop;
}

void observer_close(struct observer *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->n; i++)
		if (o->ifs[i].p)
			pcap_close(o->ifs[i].p);
	free(o->ifs);
	free(o);
}
