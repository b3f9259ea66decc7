/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frame decoding for the LAN observer: one captured Ethernet frame as
 * libpcap hands it over (DLT_EN10MB) to a sighting: who sent it and which
 * IPv4 address it claims, for ARP and DHCP (LANREQ-23, LANREQ-46,
 * LANREQ-47). Pure: bytes in, a struct out; the frame is only read, never
 * past @len. The daemon's edge is gatewayd/observe.c.
 *
 * Layout:
 *
 *   dst[6] src[6] [0x8100 TCI u16] ethertype u16     at most one 802.1Q tag
 *   ARP (0x0806): htype 1, ptype 0x0800, hlen 6, plen 4, op, sha, spa, tha, tpa
 *   IPv4 (0x0800): header of IHL * 4 bytes (options skipped), UDP, then
 *   BOOTP: op htype hlen hops xid secs flags ciaddr yiaddr siaddr giaddr
 *          chaddr[16] sname[64] file[128], the cookie 99.130.83.99, options
 *
 * Bytes after the ARP body or the IP total length (Ethernet padding) are
 * ignored. Checksums are not verified: on capture, outgoing frames carry
 * the checksums the NIC has yet to fill in (offload).
 *
 * What is ours: ARP for IPv4 over Ethernet with opcode 1 or 2, and DHCP:
 * UDP from port 68 to 67 (client to server), 67 to 68 (server to client),
 * 67 to 67 (relay agent and server), with a DHCP message type (option 53)
 * from 1 to 8. Everything else, plain BOOTP without option 53 included, is
 * -ENOENT. A DHCP packet must be consistent: BOOTREQUEST for client messages
 * and towards port 67, BOOTREPLY for OFFER, ACK, NAK; htype 1 and hlen 6
 * (Ethernet).
 *
 * Options read: 53 message type (1 byte, not 0), 50 requested address, 54 server
 * identifier, 51 lease time (4 bytes each), 12 host name (1 byte or more).
 * A different length, a repeated option among these, or an option running
 * past the UDP payload is -EINVAL. Other options are skipped; pad (0) is
 * skipped, end (255) ends the walk, and so does the end of the payload (a
 * missing end option is tolerated). Option overload (52: more options in
 * the sname and file fields) is not followed: the options read here sit in
 * the options field in every client and server seen, and a message type
 * hidden in an overloaded field reads as plain BOOTP (-ENOENT).
 *
 * Fragments: a later IPv4 fragment has no UDP header and is -ENOENT; a
 * first fragment (more-fragments set, offset 0) is decoded from what it
 * carries: its UDP length may exceed it, and an option cut by the
 * fragment's end ends the walk. A frame cut short (captured length below
 * what its headers announce) is -EINVAL.
 *
 * Network equipment (LANREQ-47): frames only a switch, an access point or a
 * router sends, each to its own destination:
 *
 *   STP/RSTP/MSTP BPDU  802.3 length, LLC 42 42 03, to 01:80:c2:00:00:00:
 *                       protocol 0, version, type 0x00 (config, 35 bytes),
 *                       0x80 (TCN, 4 bytes) or 0x02 (RST/MST, 36 bytes and
 *                       more, version 2 or 3); the sender's bridge id is read
 *   LLDP (802.1AB)      ethertype 0x88cc, to 01:80:c2:00:00:0e, :03 or :00:
 *                       TLVs of a 7-bit type and a 9-bit length; chassis id
 *                       (1), port id (2), TTL (3) first and in that order,
 *                       then system name (5) and management address (8);
 *                       end (0) or the end of the frame ends the walk
 *   CDP                 802.3 length, LLC SNAP aa aa 03 00 00 0c 20 00, to
 *                       01:00:0c:cc:cc:cc: version 1 or 2, ttl, checksum,
 *                       TLVs of type u16, length u16 (header included):
 *                       device id (1), addresses (2), platform (6)
 *   IPv6 RA (RFC 4861)  ethertype 0x86dd, next header 58 (no extension
 *                       header), hop limit 255, a link-local source, ICMPv6
 *                       type 134 code 0 of 16 bytes or more
 *
 * Other frames to these destinations (PVST+, VTP, DTP, LACP, ...) are
 * -ENOENT; a TLV that does not fit, a repeated TLV among those read, a
 * length unlike the standard's, a BPDU of an unknown type, an RA with
 * another hop limit or source are -EINVAL. Strings read (chassis and device
 * ids, names, platforms) are kept like DHCP host names: cut, and bytes
 * outside printable ASCII, quotes and backslashes read as '?'.
 */
#ifndef GW_FRAME_H
#define GW_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Host name characters kept (option 12, RFC 1035 names are at most 63 per label). */
#define SIGHTING_HOSTNAME_MAX 63
/* Equipment ids and names kept (LLDP and CDP strings; an IPv6 address fits). */
#define SIGHTING_EQUIP_MAX 63
/* A buffer of this size always holds frame_sighting_format()'s line. */
#define SIGHTING_LINE_MAX 256

enum sighting_kind {
	SIGHTING_ARP_REQUEST = 1,       /* who-has tpa, tell spa */
	SIGHTING_ARP_REPLY,             /* spa is-at sha */
	SIGHTING_ARP_ANNOUNCE,          /* gratuitous, request or reply: spa == tpa */
	SIGHTING_ARP_PROBE,             /* RFC 5227 probe: spa 0.0.0.0, asks for tpa */
	SIGHTING_DHCP_DISCOVER,         /* the message types of RFC 2131, in its order */
	SIGHTING_DHCP_OFFER,
	SIGHTING_DHCP_REQUEST,
	SIGHTING_DHCP_DECLINE,
	SIGHTING_DHCP_ACK,
	SIGHTING_DHCP_NAK,
	SIGHTING_DHCP_RELEASE,
	SIGHTING_DHCP_INFORM,
	SIGHTING_STP,                   /* a bridge's BPDU: a switch or an access point */
	SIGHTING_LLDP,                  /* an LLDP announcement (802.1AB) */
	SIGHTING_CDP,                   /* a Cisco Discovery Protocol announcement */
	SIGHTING_ROUTER_ADVERT,         /* an IPv6 router advertisement: a router */
};

/* True for the kinds that betray network equipment (LANREQ-47). */
bool frame_kind_is_equipment(enum sighting_kind kind);

/*
 * One decoded frame. Numbers are in host order, addresses in network order.
 * For a DHCP reply, src_mac is the server's (or relay's) and hw_mac and
 * addr are the client's: leases are tracked by hw_mac (LANREQ-23).
 */
struct sighting {
	enum sighting_kind kind;
	uint8_t src_mac[6];             /* Ethernet source: the station that sent it */
	bool has_vlan;                  /* the frame carried an 802.1Q tag: */
	uint16_t vlan;                  /*   its VLAN id, 0..4095 (priority dropped) */

	bool has_addr;                  /* an IPv4 address is claimed (never 0.0.0.0): */
	uint8_t addr[4];                /*   ARP: spa; a probe: tpa, the address it wants;
	                                 *   DHCP: yiaddr of a reply, else ciaddr, else
	                                 *   option 50 (requested) */
	uint8_t hw_mac[6];              /* ARP: sha; DHCP: chaddr, the client */

	/* DHCP only; zero for ARP. */
	bool from_server;               /* a BOOTREPLY (OFFER, ACK, NAK) from port 67: a
	                                 * DHCP server or a relay agent (LANREQ-47) */
	uint8_t ip_src[4];              /* the IP source address of the packet */
	uint32_t xid;                   /* the transaction id */
	bool has_server_id;             /* option 54: */
	uint8_t server_id[4];           /*   the server the message is from or for */
	bool has_lease;                 /* option 51: */
	int64_t lease_s;                /*   lease time, seconds; 4294967295: infinite */
	bool has_hostname;              /* option 12: */
	char hostname[SIGHTING_HOSTNAME_MAX + 1]; /* the client's name, cut to the
	                                 *   maximum; bytes outside printable ASCII,
	                                 *   quotes, backslashes read as '?'; "" if absent */

	/*
	 * Network equipment only (LANREQ-47); "" and 0 for ARP and DHCP.
	 * has_addr/addr: an IPv4 management address (LLDP TLV 8, CDP addresses).
	 */
	char equip_id[SIGHTING_EQUIP_MAX + 1];   /* STP: the bridge id "8000.02:00:00:00:0b:99"
	                                          *   ("" in a TCN); LLDP: the chassis id
	                                          *   (a MAC or an address as text); CDP:
	                                          *   the device id; RA: the router's IPv6
	                                          *   source address */
	char equip_name[SIGHTING_EQUIP_MAX + 1]; /* LLDP: the system name; CDP: the
	                                          *   platform; "" if absent */
	uint8_t bpdu_version;                    /* STP: 0 STP, 2 RSTP, 3 MSTP */
	uint8_t bpdu_type;                       /* STP: 0x00 config, 0x80 TCN, 0x02 RST/MST */
};

/*
 * Decodes the frame of @len bytes at @data into *@ret (written only on
 * success). Nothing is borrowed: the sighting outlives the frame. Does not
 * block or allocate.
 *
 * Returns 0; -ENOENT when the frame is neither ARP, DHCP nor one of the
 * equipment frames (see above);
 * -EINVAL when it is truncated or malformed: a header or option that does
 * not fit, lengths that contradict each other, a bad magic cookie, a group
 * (multicast) source MAC, inconsistent DHCP fields.
 */
int frame_decode(const uint8_t *data, size_t len, struct sighting *ret);

/* "arp-request", "dhcp-offer", "stp", "lldp", "cdp", "router-advert"; "?" outside the enum. */
const char *frame_kind_name(enum sighting_kind kind);

/*
 * Writes one line (no newline) describing @s to @buf of @len bytes, e.g.
 *
 *   dhcp-offer 02:00:00:fa:00:01 ip 10.250.0.101 chaddr 02:00:00:fa:00:02
 *     server-id 10.250.0.1 from 10.250.0.1 xid 0x57b4481c lease 3600 by-server
 *
 * Fields appear in this order, each only when present: VLAN ("vlan N"),
 * "ip", "sha" (ARP, when it differs from the source MAC), "chaddr", "server-id",
 * "from", "xid", "lease" (N or "infinite"), "hostname 'NAME'", "by-server";
 * for equipment "bpdu config|tcn|rst|mst" (STP), "id 'ID'", "name 'NAME'":
 *
 *   lldp 02:00:00:fa:00:05 ip 10.250.0.5 id '02:00:00:fa:00:05' name 'sw-3f'
 * Returns the line's length, or -ENOSPC when it does not fit (@buf then
 * holds as much as fits, terminated, when @len > 0). SIGHTING_LINE_MAX
 * always suffices.
 */
int frame_sighting_format(const struct sighting *s, char *buf, size_t len);

#endif
