/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the LAN observer's frame decoding (lib/frame.c):
 * any bytes a station can put on the wire must give a sighting or a
 * refusal, never a crash, an overread or undefined behaviour. A sighting
 * must keep the header's promises (kinds, bounds, a printable host name,
 * printable equipment ids and names only for equipment, LANREQ-47) and
 * format to a line that fits SIGHTING_LINE_MAX, or -ENOSPC, terminated, in
 * anything shorter.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t zero_ip[4];

static bool is_arp(enum sighting_kind k)
{
	return k >= SIGHTING_ARP_REQUEST && k <= SIGHTING_ARP_PROBE;
}

/* A kept peer string: terminated within its buffer, printable, no quote or backslash. */
static void check_text(const char *t, size_t size)
{
	size_t i, n = strnlen(t, size);

	if (n >= size)
		abort();
	for (i = 0; i < n; i++)
		if (t[i] < 0x20 || t[i] > 0x7e || t[i] == '\'' || t[i] == '\\')
			abort();
}

static void check_equipment(const struct sighting *s)
{
	bool eq = frame_kind_is_equipment(s->kind);

	check_text(s->equip_id, sizeof(s->equip_id));
	check_text(s->equip_name, sizeof(s->equip_name));
	/* LANREQ-47: equipment fields only for equipment, DHCP and ARP fields never. */
	if (!eq && (s->equip_id[0] || s->equip_name[0] || s->bpdu_version || s->bpdu_type))
		abort();
	if (eq && (s->from_server || s->xid || s->has_server_id || s->has_lease ||
		   s->has_hostname || memcmp(s->ip_src, zero_ip, 4) ||
		   memcmp(s->hw_mac, zero_ip, 4) || s->hw_mac[4] || s->hw_mac[5]))
		abort();
	if (s->kind != SIGHTING_STP && (s->bpdu_version || s->bpdu_type))
		abort();
	/* A bridge id unless a TCN; a router's link-local source always; no address for either. */
	if (s->kind == SIGHTING_STP && (s->has_addr || !s->equip_id[0] != (s->bpdu_type == 0x80)))
		abort();
	if (s->kind == SIGHTING_ROUTER_ADVERT &&
	    (s->has_addr || strncmp(s->equip_id, "fe", 2) || s->equip_name[0]))
		abort();
}

static void check_sighting(const struct sighting *s)
{
	size_t i, n = strnlen(s->hostname, sizeof(s->hostname));

	if (s->kind < SIGHTING_ARP_REQUEST || s->kind > SIGHTING_ROUTER_ADVERT)
		abort();
	if (!strcmp(frame_kind_name(s->kind), "?"))
		abort();
	if (s->src_mac[0] & 1)
		abort();
	if (s->vlan > 4095 || (!s->has_vlan && s->vlan))
		abort();
	if (s->has_addr ? !memcmp(s->addr, zero_ip, 4) : !!memcmp(s->addr, zero_ip, 4))
		abort();
	check_equipment(s);
	/* ARP claims an address always; DHCP fields stay zero for it. */
	if (is_arp(s->kind) && (!s->has_addr || s->from_server || s->xid || s->has_server_id ||
				  s->has_lease || s->has_hostname || memcmp(s->ip_src, zero_ip, 4)))
		abort();
	/* LANREQ-47: a server speaks only in OFFER, ACK and NAK. */
	if (s->from_server != (s->kind == SIGHTING_DHCP_OFFER || s->kind == SIGHTING_DHCP_ACK ||
			       s->kind == SIGHTING_DHCP_NAK))
		abort();
	if (s->has_lease ? s->lease_s < 0 || s->lease_s > UINT32_MAX : s->lease_s != 0)
		abort();
	if (n > SIGHTING_HOSTNAME_MAX || (!s->has_hostname && n))
		abort();
	for (i = 0; i < n; i++)
		if (s->hostname[i] < 0x20 || s->hostname[i] > 0x7e || s->hostname[i] == '\'' ||
		    s->hostname[i] == '\\')
			abort();
}

static void check_line(const struct sighting *s)
{
	char line[SIGHTING_LINE_MAX], small[SIGHTING_LINE_MAX];
	int n = frame_sighting_format(s, line, sizeof(line));
	size_t lens[3], i, len;

	if (n <= 0 || (size_t)n >= sizeof(line) || strlen(line) != (size_t)n || strchr(line, '\n'))
		abort();
	/* A shorter buffer (three of them, for speed): refused, the line's start, terminated. */
	lens[0] = 1;
	lens[1] = (size_t)n / 2 + 1;
	lens[2] = (size_t)n;
	for (i = 0; i < 3; i++) {
		len = lens[i];
		memset(small, '#', sizeof(small));
		if (frame_sighting_format(s, small, len) != -ENOSPC)
			abort();
		if (strlen(small) != len - 1 || memcmp(small, line, len - 1) || small[len] != '#')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sighting s, again;
	int e = frame_decode(data, size, &s);

	if (e == -ENOENT || e == -EINVAL)
		return 0;
	if (e != 0)
		abort();
	check_sighting(&s);
	check_line(&s);
	/* Decoding is a function of the bytes alone. */
	if (frame_decode(data, size, &again) != 0 || again.kind != s.kind ||
	    memcmp(again.src_mac, s.src_mac, 6) || memcmp(again.addr, s.addr, 4) ||
	    strcmp(again.hostname, s.hostname) || strcmp(again.equip_id, s.equip_id) ||
	    strcmp(again.equip_name, s.equip_name))
		abort();
	return 0;
}
